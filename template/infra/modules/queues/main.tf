# The retry queue and its dead-letter queue, both encrypted with the
# service's customer-managed key: producers need kms:GenerateDataKey and
# consumers kms:Decrypt on it.

resource "aws_sqs_queue" "dead_letter" {
  name                              = "${var.name}-dlq"
  message_retention_seconds         = var.dead_letter_retention_seconds
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_data_key_reuse_seconds
  tags                              = var.tags
}

resource "aws_sqs_queue" "this" {
  name                              = var.name
  visibility_timeout_seconds        = var.visibility_timeout_seconds
  message_retention_seconds         = var.message_retention_seconds
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_data_key_reuse_seconds
  tags                              = var.tags

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

# Only the retry queue may use the dead-letter queue as its redrive target.
# Off only where the API is missing (the emulator).
resource "aws_sqs_queue_redrive_allow_policy" "dead_letter" {
  count = var.redrive_allow_policy_enabled ? 1 : 0

  queue_url = aws_sqs_queue.dead_letter.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this.arn]
  })
}
