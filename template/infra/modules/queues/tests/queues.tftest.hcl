# Plan-level facts of the retry queue, with a mocked provider: no AWS call.

mock_provider "aws" {
  # Queue ARNs known at plan time, so the redrive policy can be read in a plan.
  mock_resource "aws_sqs_queue" {
    override_during = plan
    defaults = {
      arn = "arn:aws:sqs:eu-west-1:123456789012:svc-test-retry-dlq"
    }
  }
}

variables {
  name                       = "svc-test-retry"
  consumer_timeout_seconds   = 77
  visibility_timeout_seconds = 462
  max_receive_count          = 6
  kms_key_arn                = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
}

run "visibility_timeout_is_six_times_the_consumer_timeout" {
  command = plan

  assert {
    condition     = aws_sqs_queue.this.visibility_timeout_seconds == 6 * var.consumer_timeout_seconds
    error_message = "The retry queue's visibility timeout should be 6 x 77 = 462 s, got ${aws_sqs_queue.this.visibility_timeout_seconds}."
  }
}

run "redrive_moves_a_message_to_the_dead_letter_queue_after_max_receive_count" {
  command = plan

  assert {
    condition     = jsondecode(aws_sqs_queue_redrive_policy.this.redrive_policy).maxReceiveCount == 6
    error_message = "maxReceiveCount should be 6, got ${aws_sqs_queue_redrive_policy.this.redrive_policy}."
  }

  assert {
    condition     = jsondecode(aws_sqs_queue_redrive_policy.this.redrive_policy).deadLetterTargetArn == aws_sqs_queue.dead_letter.arn
    error_message = "The redrive policy should target the module's own dead-letter queue."
  }
}

run "both_queues_are_encrypted_and_named_predictably" {
  command = plan

  assert {
    condition     = aws_sqs_queue.this.kms_master_key_id == var.kms_key_arn && aws_sqs_queue.dead_letter.kms_master_key_id == var.kms_key_arn
    error_message = "Both queues should be encrypted with the service's customer-managed key."
  }

  assert {
    condition     = aws_sqs_queue.dead_letter.name == "svc-test-retry-dlq"
    error_message = "The dead-letter queue should be named <name>-dlq, got ${aws_sqs_queue.dead_letter.name}."
  }

  assert {
    condition     = aws_sqs_queue.dead_letter.message_retention_seconds == 1209600
    error_message = "The dead-letter queue should keep messages the maximum 14 days."
  }
}

run "dead_letter_queue_accepts_redrives_from_the_retry_queue_only" {
  command = plan

  assert {
    condition     = jsondecode(aws_sqs_queue_redrive_allow_policy.dead_letter[0].redrive_allow_policy).redrivePermission == "byQueue"
    error_message = "The dead-letter queue should allow redrives by named queue only."
  }

  assert {
    condition     = jsondecode(aws_sqs_queue_redrive_allow_policy.dead_letter[0].redrive_allow_policy).sourceQueueArns == [aws_sqs_queue.this.arn]
    error_message = "The retry queue should be the only source allowed to redrive into the dead-letter queue."
  }
}

run "visibility_timeout_below_six_consumer_timeouts_is_refused" {
  command = plan

  variables {
    visibility_timeout_seconds = 461
  }

  expect_failures = [var.visibility_timeout_seconds]
}

run "receive_count_out_of_range_is_refused" {
  command = plan

  variables {
    max_receive_count = 0
  }

  expect_failures = [var.max_receive_count]
}

run "dead_letter_retention_shorter_than_the_queue_is_refused" {
  command = plan

  variables {
    message_retention_seconds     = 86400
    dead_letter_retention_seconds = 3600
  }

  expect_failures = [var.dead_letter_retention_seconds]
}
