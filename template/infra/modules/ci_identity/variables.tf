variable "github_repository" {
  description = "GitHub repository whose workflows may assume the role, as owner/name."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", var.github_repository))
    error_message = "github_repository is \"${var.github_repository}\"; use owner/name, for example \"northwind/invoice-extraction\"."
  }
}

variable "github_environment" {
  description = "GitHub environment a job must run in to assume the role, for example \"prod\"; protect it with required reviewers in the repository settings."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,255}$", var.github_environment))
    error_message = "github_environment is \"${var.github_environment}\"; use the environment's name as GitHub shows it (letters, digits, dots, hyphens, underscores)."
  }
}

variable "role_name" {
  description = "Name of the deploy role (1 to 64 letters, digits or +=,.@_-)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "The role name \"${var.role_name}\" is not an IAM role name; use 1 to 64 letters, digits or +=,.@_-."
  }
}

variable "managed_name_prefix" {
  description = "Prefix of the IAM roles and policies the service's Terraform creates, for example \"my-service-prod\"; the deploy role may manage IAM roles and policies with this prefix only."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{3,56}$", var.managed_name_prefix))
    error_message = "managed_name_prefix is \"${var.managed_name_prefix}\"; use 3 to 56 characters valid in IAM names, so that names are not matched too broadly."
  }
}

variable "project" {
  description = "The project slug, as in the Project tag and in secret, parameter and state key paths (<project>/<environment>/...)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,28}[a-z0-9]$", var.project))
    error_message = "project is \"${var.project}\"; use the project slug: 3 to 30 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "The environment, as in the Environment tag and in secret, parameter and state key paths, for example \"prod\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.environment))
    error_message = "environment is \"${var.environment}\"; use up to 16 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "state_bucket_name" {
  description = "Bucket holding this environment's Terraform state, or null for the bootstrap's default \"<project>-tfstate-<account id>\"."
  type        = string
  default     = null

  validation {
    condition     = var.state_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "state_bucket_name is \"${coalesce(var.state_bucket_name, "null")}\"; use the bucket name from the bootstrap's state_bucket_name output (3 to 63 lowercase letters, digits, dots, hyphens)."
  }
}

variable "existing_oidc_provider_arn" {
  description = "ARN of the account's existing token.actions.githubusercontent.com OIDC provider, or null to create it here. An account holds the provider once: reuse it when another stack or environment already created it."
  type        = string
  default     = null

  validation {
    condition     = var.existing_oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", var.existing_oidc_provider_arn))
    error_message = "existing_oidc_provider_arn is \"${coalesce(var.existing_oidc_provider_arn, "null")}\"; use arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com, or null to create it."
  }
}

variable "max_session_seconds" {
  description = "Longest session a deploy job gets, in seconds (3600 to 43200); a deployment with canary bake time must fit in it."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_seconds >= 3600 && var.max_session_seconds <= 43200
    error_message = "max_session_seconds is ${var.max_session_seconds}; IAM accepts 3600 to 43200 seconds."
  }
}

variable "tags" {
  description = "Tags added to the provider and the role, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}
