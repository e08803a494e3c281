output "table_name" {
  description = "Name of the records table; what the functions read and write (RECORDS_TABLE)."
  value       = aws_dynamodb_table.this.name
}

output "table_arn" {
  description = "ARN of the records table; use it in IAM policies."
  value       = aws_dynamodb_table.this.arn
}

output "open_api_attempts_index_arn" {
  description = "ARN of the records table's sparse index of open API attempts, which the worker's sweep queries."
  value       = "${aws_dynamodb_table.this.arn}/index/open_api_attempts"
}

output "quarantine_bucket_name" {
  description = "Name of the quarantine bucket; where invalid replies are written (QUARANTINE_BUCKET)."
  value       = aws_s3_bucket.quarantine.id
}

output "quarantine_bucket_arn" {
  description = "ARN of the quarantine bucket; use it in IAM policies (append /* for objects)."
  value       = aws_s3_bucket.quarantine.arn
}

output "model_api_key_secret_arn" {
  description = "ARN of the secret holding the Anthropic API key, or null without one; use it in IAM policies and as MODEL_API_KEY_SECRET_ID."
  value       = one(aws_secretsmanager_secret.model_api_key[*].arn)
}

output "model_api_key_secret_name" {
  description = "Name of the secret holding the Anthropic API key, or null without one; use it with `aws secretsmanager put-secret-value`."
  value       = one(aws_secretsmanager_secret.model_api_key[*].name)
}

output "idempotency_table_name" {
  description = "Name of the idempotency table (IDEMPOTENCY_TABLE)."
  value       = aws_dynamodb_table.idempotency.name
}

output "idempotency_table_arn" {
  description = "ARN of the idempotency table; use it in IAM policies."
  value       = aws_dynamodb_table.idempotency.arn
}

output "budget_table_name" {
  description = "Name of the table of monthly model spend (BUDGET_TABLE); read it to see this month's spend."
  value       = aws_dynamodb_table.budget.name
}

output "budget_table_arn" {
  description = "ARN of the budget table; use it in IAM policies."
  value       = aws_dynamodb_table.budget.arn
}

output "kill_switch_parameter_name" {
  description = "Name of the kill switch parameter (KILL_SWITCH_PARAMETER); set it to \"on\" to stop every model call."
  value       = aws_ssm_parameter.kill_switch.name
}

output "kill_switch_parameter_arn" {
  description = "ARN of the kill switch parameter; use it in IAM policies."
  value       = aws_ssm_parameter.kill_switch.arn
}

output "kms_key_arn" {
  description = "ARN of the customer-managed key of the service's data; give it to every queue, function and log group that holds the service's data."
  value       = aws_kms_key.data.arn
}

output "access_log_bucket_name" {
  description = "Name of the bucket holding the quarantine bucket's server access logs; read it when auditing who touched a reply."
  value       = aws_s3_bucket.access_logs.bucket
}
