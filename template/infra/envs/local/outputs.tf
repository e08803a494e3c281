output "records_table_name" {
  description = "Name of the records table; query it by request_id to see a request's state."
  value       = module.service.records_table_name
}

output "retry_queue_url" {
  description = "URL of the retry queue the worker consumes."
  value       = module.service.retry_queue_url
}

output "retry_queue_name" {
  description = "Name of the retry queue; the QueueName dimension of its alarms."
  value       = module.service.retry_queue_name
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue; on-call reads failed and quarantined requests from it."
  value       = module.service.dead_letter_queue_url
}

output "dead_letter_queue_name" {
  description = "Name of the dead-letter queue; the QueueName dimension of its alarm."
  value       = module.service.dead_letter_queue_name
}

output "quarantine_bucket_name" {
  description = "Name of the bucket that keeps invalid model replies."
  value       = module.service.quarantine_bucket_name
}

output "model_api_key_secret_id" {
  description = "ARN of the secret to put the Anthropic API key in with `aws secretsmanager put-secret-value`."
  value       = module.service.model_api_key_secret_id
}

output "api_function_name" {
  description = "Name of the API function; its \"live\" alias is what API Gateway invokes."
  value       = module.service.api_function_name
}

output "api_function_alias_name" {
  description = "Alias API Gateway invokes; move it to an older version to roll back."
  value       = module.service.api_function_alias_name
}

output "worker_function_name" {
  description = "Name of the retry worker function."
  value       = module.service.worker_function_name
}

output "worker_event_source_mapping_uuid" {
  description = "Identifier of the retry queue trigger; disable it to pause retries."
  value       = module.service.worker_event_source_mapping_uuid
}

output "rest_api_id" {
  description = "Identifier of the REST API."
  value       = module.service.rest_api_id
}

output "rest_api_name" {
  description = "Name of the REST API; the ApiName dimension of its metrics."
  value       = module.service.rest_api_name
}

output "api_stage_name" {
  description = "Stage of the REST API; the Stage dimension of its metrics."
  value       = module.service.api_stage_name
}

output "api_invoke_url" {
  description = "Base URL of the API; callers POST to <this>/requests with the x-api-key header."
  value       = module.service.api_invoke_url
}

output "api_key_id" {
  description = "Identifier of the first caller's API key."
  value       = module.service.api_key_id
}

output "api_key_value" {
  description = "Value of the first caller's API key. Sensitive: read it with `terraform output -raw api_key_value` and hand it over through a secret store."
  value       = module.service.api_key_value
  sensitive   = true
}

output "deploy_role_arn" {
  description = "ARN of the deploy role the CI identity module created; no workflow assumes it in the emulator."
  value       = module.ci_identity.role_arn
}

output "github_oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider in the emulator's account."
  value       = module.ci_identity.oidc_provider_arn
}
