output "role_arn" {
  description = "ARN of the deploy role; set it as the AWS_DEPLOY_ROLE_ARN variable of the matching GitHub environment."
  value       = aws_iam_role.this.arn
}

output "oidc_provider_arn" {
  description = "ARN of GitHub's OIDC provider in this account; pass it as existing_oidc_provider_arn to the next environment in the same account."
  value       = local.provider_arn
}

output "service_boundary_arn" {
  description = "ARN of the permissions boundary every role of the service must carry; pass it to modules/service as permissions_boundary_arn."
  value       = aws_iam_policy.service_boundary.arn
}
