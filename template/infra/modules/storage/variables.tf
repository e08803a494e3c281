variable "table_name" {
  description = "Name of the DynamoDB table of request records (3 to 255 letters, digits, hyphens, underscores or dots)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.table_name))
    error_message = "The table name \"${var.table_name}\" is not a DynamoDB table name; use 3 to 255 letters, digits, hyphens, underscores or dots."
  }
}

variable "idempotency_table_name" {
  description = "Name of the DynamoDB table where the API remembers requests it has already accepted (Powertools idempotency; 3 to 255 letters, digits, hyphens, underscores or dots)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.idempotency_table_name))
    error_message = "The table name \"${var.idempotency_table_name}\" is not a DynamoDB table name; use 3 to 255 letters, digits, hyphens, underscores or dots."
  }
}

variable "budget_table_name" {
  description = "Name of the DynamoDB table holding each month's model spend (3 to 255 letters, digits, hyphens, underscores or dots)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.budget_table_name))
    error_message = "The table name \"${var.budget_table_name}\" is not a DynamoDB table name; use 3 to 255 letters, digits, hyphens, underscores or dots."
  }
}

variable "kill_switch_parameter_name" {
  description = "Name of the SSM parameter that stops every model call when set to \"on\"; a path starting with \"/\"."
  type        = string

  validation {
    condition     = can(regex("^/[A-Za-z0-9/_.-]+$", var.kill_switch_parameter_name)) && length(var.kill_switch_parameter_name) <= 1011
    error_message = "The parameter name \"${var.kill_switch_parameter_name}\" is not usable; use a path such as /my-service/prod/kill-switch (letters, digits and /_.-)."
  }
}

variable "ttl_attribute_name" {
  description = "Record attribute holding the expiry time in epoch seconds; DynamoDB deletes a record some time after it passes. Records without it never expire."
  type        = string
  default     = "expires_at"
}

variable "deletion_protection_enabled" {
  description = "Whether DynamoDB refuses to delete the table until this is turned off. Keep it on wherever the records matter."
  type        = bool
  default     = true
}

variable "quarantine_bucket_name" {
  description = "Name of the S3 bucket that keeps invalid model replies (3 to 63 lowercase letters, digits, hyphens or dots, globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.quarantine_bucket_name)) && !strcontains(var.quarantine_bucket_name, "..")
    error_message = "The bucket name \"${var.quarantine_bucket_name}\" is not an S3 bucket name; use 3 to 63 lowercase letters, digits, hyphens or single dots, starting and ending with a letter or digit. Shorten the project slug if the generated name is too long."
  }
}

variable "access_log_bucket_name" {
  description = "Name of the S3 bucket that receives the quarantine bucket's server access logs (3 to 63 lowercase letters, digits, hyphens or dots, globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.access_log_bucket_name)) && !strcontains(var.access_log_bucket_name, "..")
    error_message = "The bucket name \"${var.access_log_bucket_name}\" is not an S3 bucket name; use 3 to 63 lowercase letters, digits, hyphens or single dots, starting and ending with a letter or digit."
  }
}

variable "access_log_retention_days" {
  description = "How many days the quarantine bucket's access logs are kept, in days (1 to 3650); an audit trail usually needs a year."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_retention_days >= 1 && var.access_log_retention_days <= 3650 && floor(var.access_log_retention_days) == var.access_log_retention_days
    error_message = "access_log_retention_days is ${var.access_log_retention_days}; use a whole number of days from 1 to 3650, for example 365."
  }
}

variable "kms_deletion_window_days" {
  description = "Days a scheduled deletion of the data key can still be cancelled (7 to 30); after it, everything encrypted with the key is unreadable."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days is ${var.kms_deletion_window_days}; KMS accepts 7 to 30 days. Use 30 outside throwaway environments."
  }
}

variable "quarantine_retention_days" {
  description = "How many days a quarantined reply is kept before it expires, in days (1 to 3650). It must outlast the time on-call needs to inspect and replay it."
  type        = number
  default     = 90

  validation {
    condition     = var.quarantine_retention_days >= 1 && var.quarantine_retention_days <= 3650 && floor(var.quarantine_retention_days) == var.quarantine_retention_days
    error_message = "quarantine_retention_days is ${var.quarantine_retention_days}; use a whole number of days from 1 to 3650, for example 90."
  }
}

variable "noncurrent_version_retention_days" {
  description = "How many days an overwritten or deleted quarantined reply stays recoverable as a noncurrent version, in days (1 to 3650)."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_retention_days >= 1 && var.noncurrent_version_retention_days <= 3650 && floor(var.noncurrent_version_retention_days) == var.noncurrent_version_retention_days
    error_message = "noncurrent_version_retention_days is ${var.noncurrent_version_retention_days}; use a whole number of days from 1 to 3650, for example 30."
  }
}

variable "quarantine_force_destroy" {
  description = "Whether `terraform destroy` may delete the quarantine bucket while it still holds replies. Leave off outside throwaway environments: those replies are the evidence of failed requests."
  type        = bool
  default     = false
}

variable "enforce_tls" {
  description = "Whether the quarantine bucket policy denies every request not made over TLS."
  type        = bool
  default     = true
}

variable "model_api_key_secret_name" {
  description = "Name of the Secrets Manager secret that holds the Anthropic API key, or null when the model is reached through Bedrock and there is no key. Terraform creates the secret empty; its value is put outside Terraform so it never enters the state."
  type        = string
  default     = null

  validation {
    condition     = var.model_api_key_secret_name == null || can(regex("^[A-Za-z0-9/_+=.@-]{1,512}$", var.model_api_key_secret_name))
    error_message = "The secret name \"${coalesce(var.model_api_key_secret_name, "null")}\" is not a Secrets Manager name; use 1 to 512 letters, digits or the characters /_+=.@-."
  }
}

variable "secret_recovery_window_days" {
  description = "How many days a deleted secret can still be restored: 0 deletes it at once, otherwise 7 to 30."
  type        = number
  default     = 30

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days is ${var.secret_recovery_window_days}; Secrets Manager accepts 0 (delete at once) or 7 to 30 days. Use 30 for real environments."
  }
}

variable "tags" {
  description = "Tags added to the table, the bucket and the secret, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}
