output "function_name" {
  description = "Name of the function; use it for alarms, logs and `aws lambda` commands."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "Unqualified ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "function_version" {
  description = "Latest published version, or \"$LATEST\" when publish_live_alias is off; the version scripts/canary.py moves the \"live\" alias to."
  value       = aws_lambda_function.this.version
}

output "alias_name" {
  description = "Name of the alias callers invoke (\"live\"), or null when publish_live_alias is off."
  value       = one(aws_lambda_alias.live[*].name)
}

output "alias_arn" {
  description = "ARN of the \"live\" alias, or null when publish_live_alias is off; use it in permissions for the caller."
  value       = one(aws_lambda_alias.live[*].arn)
}

output "function_invoke_arn" {
  description = "ARN API Gateway integrations invoke: the \"live\" alias when published, otherwise the function."
  value       = var.publish_live_alias ? one(aws_lambda_alias.live[*].invoke_arn) : aws_lambda_function.this.invoke_arn
}

output "role_name" {
  description = "Name of the execution role; attach extra policies to it only from the calling module."
  value       = aws_iam_role.execution.name
}

output "role_arn" {
  description = "ARN of the execution role."
  value       = aws_iam_role.execution.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the function; use it for metric filters and Logs Insights queries."
  value       = aws_cloudwatch_log_group.function.name
}

output "event_source_mapping_uuid" {
  description = "Identifier of the SQS trigger, or null without queue_trigger; use it to pause or resume the worker."
  value       = one(aws_lambda_event_source_mapping.queue[*].uuid)
}

output "schedule_rule_name" {
  description = "Name of the EventBridge rule that invokes the function on a schedule, or null without schedule; disable it to pause the scheduled runs."
  value       = one(aws_cloudwatch_event_rule.schedule[*].name)
}

output "application_log_level" {
  description = "Lowest level of the service's own log lines Lambda keeps, or null without json_platform_logs."
  value       = one(aws_lambda_function.this.logging_config[*].application_log_level)
}

output "reserved_concurrency" {
  description = "Concurrent executions reserved for the function, or -1 when it shares the account's pool; compare it with the provider's rate limit."
  value       = aws_lambda_function.this.reserved_concurrent_executions
}
