# Plan-level facts of the records table, the quarantine bucket and the
# secret, with a mocked provider: no AWS call.

mock_provider "aws" {
  # Policies must be JSON even with a mocked provider.
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }

  # The key's ARN known at plan time, so encryption settings can be compared.
  mock_resource "aws_kms_key" {
    override_during = plan
    defaults = {
      arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    }
  }

  mock_data "aws_region" {
    defaults = {
      name = "eu-west-1"
    }
  }
}

variables {
  table_name                 = "svc-test-records"
  idempotency_table_name     = "svc-test-idempotency"
  budget_table_name          = "svc-test-budget"
  kill_switch_parameter_name = "/svc/test/kill-switch"
  quarantine_bucket_name     = "svc-test-quarantine-123456789012"
  access_log_bucket_name     = "svc-test-logs-123456789012"
  model_api_key_secret_name  = "svc/test/anthropic-api-key"
}

run "records_expire_through_ttl_and_are_recoverable" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.this.ttl[0].enabled && aws_dynamodb_table.this.ttl[0].attribute_name == "expires_at"
    error_message = "TTL should be enabled on the expires_at attribute."
  }

  assert {
    condition     = aws_dynamodb_table.this.point_in_time_recovery[0].enabled
    error_message = "Point-in-time recovery should be on."
  }

  assert {
    condition     = aws_dynamodb_table.this.server_side_encryption[0].enabled
    error_message = "The table should be encrypted with a KMS key."
  }

  assert {
    condition     = aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST" && aws_dynamodb_table.this.hash_key == "request_id"
    error_message = "The table should be on-demand and keyed by request_id."
  }

  assert {
    condition     = aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "Deletion protection should be on by default."
  }
}

run "idempotency_and_budget_tables_match_what_the_code_expects" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.idempotency.hash_key == "id" && aws_dynamodb_table.idempotency.ttl[0].attribute_name == "expiration"
    error_message = "The idempotency table should be keyed by id and expire on expiration, as Powertools writes it."
  }

  assert {
    condition     = aws_dynamodb_table.budget.hash_key == "month" && aws_dynamodb_table.budget.point_in_time_recovery[0].enabled
    error_message = "The budget table should be keyed by month and recoverable."
  }
}

run "open_api_attempts_index_matches_what_the_sweep_queries" {
  command = plan

  assert {
    condition = anytrue([
      for index in aws_dynamodb_table.this.global_secondary_index :
      index.name == "open_api_attempts" && index.hash_key == "api_attempt" && index.range_key == "created_at" && index.projection_type == "KEYS_ONLY"
    ])
    error_message = "The records table should have the sparse open_api_attempts index (api_attempt, created_at) that records.py queries."
  }
}

run "kill_switch_starts_off" {
  command = plan

  assert {
    condition     = aws_ssm_parameter.kill_switch.value == "off" && aws_ssm_parameter.kill_switch.type == "String"
    error_message = "The kill switch should be a String parameter created as off."
  }
}

run "no_secret_without_an_api_key" {
  command = plan

  variables {
    model_api_key_secret_name = null
  }

  assert {
    condition     = length(aws_secretsmanager_secret.model_api_key) == 0 && output.model_api_key_secret_arn == null
    error_message = "Without a secret name there should be no secret."
  }
}

run "quarantine_bucket_is_private_versioned_encrypted_and_expiring" {
  command = plan

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.quarantine.block_public_acls,
      aws_s3_bucket_public_access_block.quarantine.block_public_policy,
      aws_s3_bucket_public_access_block.quarantine.ignore_public_acls,
      aws_s3_bucket_public_access_block.quarantine.restrict_public_buckets,
    ])
    error_message = "Every public access block setting should be on."
  }

  assert {
    condition     = aws_s3_bucket_versioning.quarantine.versioning_configuration[0].status == "Enabled"
    error_message = "Versioning should be enabled."
  }

  assert {
    condition     = one([for rule in aws_s3_bucket_server_side_encryption_configuration.quarantine.rule : rule.apply_server_side_encryption_by_default[0].sse_algorithm]) == "aws:kms"
    error_message = "Objects should be encrypted by default with the service's KMS key."
  }

  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.quarantine.rule[0].expiration[0].days == 90 && aws_s3_bucket_lifecycle_configuration.quarantine.rule[0].noncurrent_version_expiration[0].noncurrent_days == 30
    error_message = "Quarantined replies should expire after 90 days, old versions after 30."
  }

  assert {
    condition     = length(aws_s3_bucket_lifecycle_configuration.quarantine.rule[0].filter) == 1
    error_message = "The lifecycle rule should carry an explicit filter."
  }

  assert {
    condition     = !aws_s3_bucket.quarantine.force_destroy
    error_message = "destroy should refuse to delete quarantined replies by default."
  }
}

run "tls_only_bucket_policy_is_on_by_default" {
  command = plan

  assert {
    condition     = length(aws_s3_bucket_policy.quarantine) == 1
    error_message = "The TLS-only bucket policy should exist by default."
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.quarantine_tls_only.statement :
      statement.effect == "Deny" && anytrue([for c in statement.condition : c.variable == "aws:SecureTransport" && contains(c.values, "false")])
    ])
    error_message = "The bucket policy should deny requests made without TLS."
  }
}

run "tls_only_bucket_policy_can_be_turned_off" {
  command = plan

  variables {
    enforce_tls = false
  }

  assert {
    condition     = length(aws_s3_bucket_policy.quarantine) == 0
    error_message = "enforce_tls = false should remove the bucket policy."
  }
}

run "secret_recovery_window_outside_what_aws_accepts_is_refused" {
  command = plan

  variables {
    secret_recovery_window_days = 3
  }

  expect_failures = [var.secret_recovery_window_days]
}

run "bucket_name_that_s3_would_reject_is_refused" {
  command = plan

  variables {
    quarantine_bucket_name = "Svc_Test"
  }

  expect_failures = [var.quarantine_bucket_name]
}

run "one_rotating_customer_key_encrypts_tables_bucket_and_secret" {
  command = plan

  assert {
    condition     = aws_kms_key.data.enable_key_rotation
    error_message = "The service's KMS key should rotate."
  }

  assert {
    condition     = aws_dynamodb_table.this.server_side_encryption[0].kms_key_arn == aws_kms_key.data.arn && aws_dynamodb_table.budget.server_side_encryption[0].kms_key_arn == aws_kms_key.data.arn && aws_dynamodb_table.idempotency.server_side_encryption[0].kms_key_arn == aws_kms_key.data.arn
    error_message = "Every table should be encrypted with the service's key."
  }

  assert {
    condition     = one([for rule in aws_s3_bucket_server_side_encryption_configuration.quarantine.rule : rule.apply_server_side_encryption_by_default[0].kms_master_key_id]) == aws_kms_key.data.arn
    error_message = "The quarantine bucket should use SSE-KMS with the service's key."
  }

  assert {
    condition     = aws_secretsmanager_secret.model_api_key[0].kms_key_id == aws_kms_key.data.arn
    error_message = "The API key secret should be encrypted with the service's key."
  }
}

run "quarantine_access_is_logged_to_its_own_bucket" {
  command = plan

  assert {
    condition     = aws_s3_bucket_logging.quarantine.target_prefix == "quarantine/"
    error_message = "Quarantine bucket access should be logged under quarantine/."
  }

  assert {
    condition     = aws_s3_bucket.access_logs.bucket == "svc-test-logs-123456789012"
    error_message = "Access logs should go to the bucket named by access_log_bucket_name."
  }
}
