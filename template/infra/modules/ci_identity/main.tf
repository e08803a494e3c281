# The identity GitHub Actions deploys with: GitHub's OIDC provider (created
# here, or an existing one of the account reused) and a role that only a
# workflow job of one repository, running in one GitHub environment, can
# assume. No long-lived AWS keys exist anywhere.

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

locals {
  issuer       = "token.actions.githubusercontent.com"
  provider_arn = coalesce(var.existing_oidc_provider_arn, try(aws_iam_openid_connect_provider.github[0].arn, null))
  subject      = "repo:${var.github_repository}:environment:${var.github_environment}"

  # Roles and policies the service's Terraform creates share this prefix,
  # so the deploy role can manage them and nothing else in IAM.
  iam_resources = [
    "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${var.managed_name_prefix}-*",
    "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:policy/${var.managed_name_prefix}-*",
  ]
}

# One per account: set existing_oidc_provider_arn where another stack owns it.
resource "aws_iam_openid_connect_provider" "github" {
  count = var.existing_oidc_provider_arn == null ? 1 : 0

  url            = "https://${local.issuer}"
  client_id_list = ["sts.amazonaws.com"]
  tags           = var.tags
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "GitHubEnvironmentOnly"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }

    # The subject names repository and environment exactly: no wildcard, so
    # a branch, a pull request or another environment gets nothing.
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = [local.subject]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.role_name
  description          = "Assumed by GitHub Actions jobs of ${var.github_repository} in environment ${var.github_environment} to run terraform apply."
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session_seconds
  tags                 = var.tags
}

# Everything outside IAM and Organizations, for the services the stack uses.
resource "aws_iam_role_policy_attachment" "power_user" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/PowerUserAccess"
}

data "aws_iam_policy_document" "iam" {
  statement {
    sid = "ManageServiceRoles"
    actions = [
      "iam:AttachRolePolicy",
      "iam:CreateRole",
      "iam:DeleteRole",
      "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy",
      "iam:GetRole",
      "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole",
      "iam:ListRolePolicies",
      "iam:PassRole",
      "iam:PutRolePolicy",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
    ]
    resources = local.iam_resources
  }

  statement {
    sid = "ReadOwnIdentity"
    actions = [
      "iam:GetOpenIDConnectProvider",
      "iam:GetPolicy",
      "iam:GetPolicyVersion",
    ]
    resources = concat(
      [local.provider_arn, aws_iam_role.this.arn],
      ["arn:${data.aws_partition.current.partition}:iam::aws:policy/*"],
    )
  }
}

resource "aws_iam_role_policy" "iam" {
  name   = "manage-service-roles"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.iam.json
}
