# The whole service wired together, with a mocked provider: no AWS call.
# The defaults under test are the numbers derived from the discovery
# answers, so this suite checks that those answers agree with each other.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_data "aws_region" {
    defaults = {
      name = "eu-west-1"
    }
  }

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }

  mock_resource "aws_sqs_queue" {
    override_during = plan
    defaults = {
      arn = "arn:aws:sqs:eu-west-1:123456789012:svc-test-retry-dlq"
      url = "https://sqs.eu-west-1.amazonaws.com/123456789012/svc-test-retry"
    }
  }
}

variables {
  environment = "test"
  # Any existing file will do: the mocked provider uploads nothing.
  package_file = "main.tf"
}

run "answers_give_consistent_timeouts" {
  command = plan

  assert {
    condition     = var.retry_queue_visibility_seconds >= 6 * var.worker_timeout_seconds
    error_message = "The retry queue's visibility timeout (${var.retry_queue_visibility_seconds} s) should be at least 6 x the worker timeout (${var.worker_timeout_seconds} s)."
  }

  assert {
    condition     = var.api_timeout_seconds > var.model_timeout_seconds * (var.model_max_retries + 1) + var.model_max_retries && var.api_timeout_seconds <= 28
    error_message = "The API function should outlast every model attempt and stay under API Gateway's 29 s."
  }
}

run "dead_letter_queue_takes_over_after_the_workers_last_attempt" {
  command = plan

  assert {
    condition     = module.retry_queue.redrive_max_receive_count == var.retry_max_attempts + 1
    error_message = "SQS should move a message to the dead-letter queue one receive after the worker's last attempt (${var.retry_max_attempts + 1}), got ${module.retry_queue.redrive_max_receive_count}."
  }
}

run "api_invokes_the_live_alias" {
  command = plan

  assert {
    condition     = module.api_function.alias_name == "live"
    error_message = "The API function should be invoked through its live alias."
  }
}

run "functions_get_every_setting_of_the_contract" {
  command = plan

  variables {
    model_provider = "anthropic"
  }

  assert {
    condition = toset(keys(local.function_environment)) == toset([
      "RECORDS_TABLE",
      "IDEMPOTENCY_TABLE",
      "BUDGET_TABLE",
      "KILL_SWITCH_PARAMETER",
      "RETRY_QUEUE_URL",
      "DEAD_LETTER_QUEUE_URL",
      "QUARANTINE_BUCKET",
      "MODEL_ID",
      "MODEL_API_KEY_SECRET_ID",
      "MODEL_TIMEOUT_SECONDS",
      "MODEL_MAX_RETRIES",
      "MAX_OUTPUT_TOKENS",
      "RETRY_MAX_ATTEMPTS",
      "MONTHLY_BUDGET_USD",
      "BUDGET_SOFT_LIMIT_PERCENT",
      "RECORD_RETENTION_DAYS",
      "POWERTOOLS_SERVICE_NAME",
      "POWERTOOLS_METRICS_NAMESPACE",
      "POWERTOOLS_LOG_LEVEL",
    ])
    error_message = "The functions' shared environment should hold exactly the settings the Python package reads (FUNCTION_TIMEOUT_SECONDS is added per function)."
  }

  assert {
    condition     = local.function_environment.RETRY_MAX_ATTEMPTS == tostring(var.retry_max_attempts)
    error_message = "RETRY_MAX_ATTEMPTS should be the answered number of retries."
  }

  assert {
    condition     = length(local.bedrock_model_arns) == 0
    error_message = "With the Anthropic API the roles should invoke no Bedrock model."
  }
}

run "bedrock_has_no_key_and_invokes_only_its_model" {
  command = plan

  variables {
    model_provider = "bedrock"
    model_id       = "eu.anthropic.claude-test-v1:0"
  }

  assert {
    condition     = !contains(keys(local.function_environment), "MODEL_API_KEY_SECRET_ID") && output.model_api_key_secret_id == null
    error_message = "With Bedrock there should be no API key secret."
  }

  assert {
    condition = local.bedrock_model_arns == tolist([
      "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-test-v1:0",
      "arn:aws:bedrock:*::foundation-model/anthropic.claude-test-v1:0",
    ])
    error_message = "An inference profile needs the profile and its foundation model, got ${jsonencode(local.bedrock_model_arns)}."
  }
}

run "an_in_country_profile_invokes_its_foundation_model" {
  command = plan

  variables {
    model_provider = "bedrock"
    model_id       = "au.anthropic.claude-test-v1:0"
  }

  assert {
    condition     = contains(local.bedrock_model_arns, "arn:aws:bedrock:*::foundation-model/anthropic.claude-test-v1:0")
    error_message = "The au. profile's foundation model should be invokable, got ${jsonencode(local.bedrock_model_arns)}."
  }
}

# The longest slug and environment name the answers allow: the plan would
# stop at the modules' name checks (bucket, queue, role) if any name were
# too long for its service.
run "longest_names_fit_every_service_limit" {
  command = plan

  variables {
    project     = "a-thirty-character-project-slu"
    environment = "staging"
  }

  assert {
    condition     = length(output.worker_function_name) <= 64 && length(output.api_function_name) <= 64
    error_message = "Function names should stay within Lambda's 64 characters."
  }
}

run "worker_timeout_too_short_for_a_batch_is_refused" {
  command = plan

  variables {
    worker_timeout_seconds = 10
  }

  expect_failures = [var.worker_timeout_seconds]
}

run "visibility_timeout_shorter_than_six_worker_timeouts_is_refused" {
  command = plan

  variables {
    worker_timeout_seconds         = 900
    retry_queue_visibility_seconds = 5399
  }

  expect_failures = [var.retry_queue_visibility_seconds]
}

run "api_concurrency_stays_within_the_provider_limit" {
  command = plan

  assert {
    condition     = module.api_function.reserved_concurrency == var.api_reserved_concurrency && var.api_reserved_concurrency <= 900
    error_message = "The API function should reserve api_reserved_concurrency executions, at most 900."
  }
}

run "python_log_level_names_reach_lambda_in_its_spelling" {
  command = plan

  # Lambda's log levels spell WARNING as WARN; the function module refuses
  # the Python name, so this plan fails unless the service translates it.
  variables {
    log_level = "WARNING"
  }

  assert {
    condition     = module.api_function.application_log_level == "WARN" && module.worker_function.application_log_level == "WARN"
    error_message = "log_level = WARNING should reach both functions as Lambda's WARN."
  }
}
