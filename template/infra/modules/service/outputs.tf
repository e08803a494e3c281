output "records_table_name" {
  description = "Name of the records table; query it by request_id to see a request's state."
  value       = module.storage.table_name
}

output "retry_queue_url" {
  description = "URL of the retry queue the worker consumes."
  value       = module.retry_queue.queue_url
}

output "retry_queue_name" {
  description = "Name of the retry queue; the QueueName dimension of its SQS metrics."
  value       = module.retry_queue.queue_name
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue; on-call reads failed and quarantined requests from it."
  value       = module.retry_queue.dead_letter_queue_url
}

output "dead_letter_queue_name" {
  description = "Name of the dead-letter queue; the QueueName dimension of its SQS metrics (ApproximateNumberOfMessagesVisible is what to alarm on)."
  value       = module.retry_queue.dead_letter_queue_name
}

output "idempotency_table_name" {
  description = "Name of the table where the API remembers accepted requests."
  value       = module.storage.idempotency_table_name
}

output "budget_table_name" {
  description = "Name of the table of monthly model spend; read this month's item to see what has been spent."
  value       = module.storage.budget_table_name
}

output "kill_switch_parameter_name" {
  description = "SSM parameter that stops every model call: `aws ssm put-parameter --name <this> --value on --overwrite`."
  value       = module.storage.kill_switch_parameter_name
}

output "quarantine_bucket_name" {
  description = "Name of the bucket that keeps invalid model replies."
  value       = module.storage.quarantine_bucket_name
}

output "model_api_key_secret_id" {
  description = "ARN of the secret to put the Anthropic API key in with `aws secretsmanager put-secret-value`; null with Bedrock."
  value       = module.storage.model_api_key_secret_arn
}

output "api_function_name" {
  description = "Name of the API function; its \"live\" alias is what API Gateway invokes."
  value       = module.api_function.function_name
}

output "api_function_version" {
  description = "Version the last apply published; scripts/canary.py shifts the \"live\" alias to it."
  value       = module.api_function.function_version
}

output "api_function_alias_name" {
  description = "Alias API Gateway invokes; move it to an older version to roll back."
  value       = module.api_function.alias_name
}

output "worker_function_name" {
  description = "Name of the retry worker function."
  value       = module.worker_function.function_name
}

output "worker_schedule_rule_name" {
  description = "EventBridge rule that runs the worker's sweep of interrupted requests; disable it to pause the sweep."
  value       = module.worker_function.schedule_rule_name
}

output "worker_event_source_mapping_uuid" {
  description = "Identifier of the retry queue trigger; disable it to pause retries."
  value       = module.worker_function.event_source_mapping_uuid
}

output "rest_api_id" {
  description = "Identifier of the REST API."
  value       = module.api.rest_api_id
}

output "rest_api_name" {
  description = "Name of the REST API; the ApiName dimension of its metrics."
  value       = module.api.rest_api_name
}

output "api_stage_name" {
  description = "Stage of the REST API; the Stage dimension of its metrics."
  value       = module.api.stage_name
}

output "api_invoke_url" {
  description = "Base URL of the API; callers POST to <this>/requests with the x-api-key header."
  value       = module.api.stage_invoke_url
}

output "api_key_id" {
  description = "Identifier of the first caller's API key."
  value       = module.api.api_key_id
}

output "api_key_value" {
  description = "Value of the first caller's API key. Sensitive: read it with `terraform output -raw api_key_value` and hand it over through a secret store."
  value       = module.api.api_key_value
  sensitive   = true
}
