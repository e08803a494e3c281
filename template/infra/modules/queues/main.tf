# The retry queue and its dead-letter queue. Both are encrypted with
# SQS-managed keys, so producers and consumers need no KMS permissions.

resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.name}-dlq"
  message_retention_seconds = var.dead_letter_retention_seconds
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_sqs_queue" "this" {
  name                       = var.name
  visibility_timeout_seconds = var.visibility_timeout_seconds
  message_retention_seconds  = var.message_retention_seconds
  sqs_managed_sse_enabled    = true
  tags                       = var.tags

  # aws_sqs_queue_redrive_policy.this owns the policy and reports its drift.
  # The queue's copy of the same attribute is compared as text, so an
  # equivalent policy read back with other spacing (moto adds some) would
  # show as a change on every plan.
  lifecycle {
    ignore_changes = [redrive_policy]
  }
}

# The redrive policy as a resource of its own: it compares the policy as
# JSON, so only a real change to the target or the count is reported.
resource "aws_sqs_queue_redrive_policy" "this" {
  queue_url = aws_sqs_queue.this.id

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
    maxReceiveCount     = var.max_receive_count
  })
}
