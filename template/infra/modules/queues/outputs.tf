output "queue_url" {
  description = "URL of the retry queue; what producers send to (RETRY_QUEUE_URL)."
  value       = aws_sqs_queue.this.url
}

output "queue_arn" {
  description = "ARN of the retry queue; use it in IAM policies and the worker's event source mapping."
  value       = aws_sqs_queue.this.arn
}

output "queue_name" {
  description = "Name of the retry queue; use it for CloudWatch alarm dimensions."
  value       = aws_sqs_queue.this.name
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue; what the functions send terminal failures to (DEAD_LETTER_QUEUE_URL)."
  value       = aws_sqs_queue.dead_letter.url
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue; use it in IAM policies."
  value       = aws_sqs_queue.dead_letter.arn
}

output "dead_letter_queue_name" {
  description = "Name of the dead-letter queue; use it for the \"messages waiting\" alarm."
  value       = aws_sqs_queue.dead_letter.name
}

output "redrive_max_receive_count" {
  description = "Receives after which SQS moves a message to the dead-letter queue; quote it in runbooks."
  value       = jsondecode(aws_sqs_queue_redrive_policy.this.redrive_policy).maxReceiveCount
}
