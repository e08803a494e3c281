output "state_bucket_name" {
  description = "Name of the state bucket; pass it to every environment root with terraform init -backend-config=\"bucket=<this>\"."
  value       = aws_s3_bucket.state.bucket
}

output "state_kms_key_arn" {
  description = "ARN of the key the state is encrypted with; pass it with -backend-config=\"kms_key_id=<this>\" so new state objects use it explicitly."
  value       = aws_kms_key.state.arn
}
