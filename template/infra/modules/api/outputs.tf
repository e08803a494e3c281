output "rest_api_id" {
  description = "Identifier of the REST API; use it for `aws apigateway` commands and alarm dimensions."
  value       = aws_api_gateway_rest_api.this.id
}

output "rest_api_name" {
  description = "Name of the REST API; API Gateway's CloudWatch metrics use it as the ApiName dimension."
  value       = aws_api_gateway_rest_api.this.name
}

output "rest_api_execution_arn" {
  description = "Execution ARN of the REST API; use it to scope further invoke permissions."
  value       = aws_api_gateway_rest_api.this.execution_arn
}

output "stage_name" {
  description = "Name of the deployed stage; the Stage dimension of API Gateway's metrics."
  value       = aws_api_gateway_stage.this.stage_name
}

output "stage_invoke_url" {
  description = "Base URL callers use; append /requests."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "api_key_id" {
  description = "Identifier of the first caller's API key, or null with IAM callers; read its value with `aws apigateway get-api-key --include-value`."
  value       = one(aws_api_gateway_api_key.this[*].id)
}

output "api_key_value" {
  description = "Value of the first caller's API key, sent as the x-api-key header, or null with IAM callers. Sensitive: hand it over through a secret store."
  value       = one(aws_api_gateway_api_key.this[*].value)
  sensitive   = true
}
