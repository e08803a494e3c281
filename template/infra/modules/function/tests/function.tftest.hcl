# Plan-level facts of one function, with a mocked provider: no AWS call.

mock_provider "aws" {
  # The mock invents random text for computed attributes, but the role's
  # trust policy is checked as JSON even in a plan.
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
}

# Known at plan time, so the policy's resources can be checked in a plan.
override_resource {
  target          = aws_cloudwatch_log_group.function
  override_during = plan
  values = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/svc-test"
  }
}

variables {
  name    = "svc-test-api"
  handler = "svc.api.handler"
  # Any existing file will do: the mocked provider uploads nothing, and the
  # code hash only needs bytes to read.
  package_file    = "main.tf"
  timeout_seconds = 26

  records_table_arn         = "arn:aws:dynamodb:eu-west-1:123456789012:table/svc-test-records"
  idempotency_table_arn     = "arn:aws:dynamodb:eu-west-1:123456789012:table/svc-test-idempotency"
  budget_table_arn          = "arn:aws:dynamodb:eu-west-1:123456789012:table/svc-test-budget"
  kill_switch_parameter_arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/svc/test/kill-switch"
  quarantine_bucket_arn     = "arn:aws:s3:::svc-test-quarantine"
  kms_key_arn               = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  model_api_key_secret_arn  = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:svc/test/key-AbCdEf"
  send_queue_arns = [
    "arn:aws:sqs:eu-west-1:123456789012:svc-test-retry",
    "arn:aws:sqs:eu-west-1:123456789012:svc-test-retry-dlq",
  ]
}

run "api_function_publishes_versions_behind_a_live_alias" {
  command = plan

  variables {
    publish_live_alias = true
  }

  assert {
    condition     = aws_lambda_function.this.publish
    error_message = "Every change should publish a version."
  }

  assert {
    condition     = length(aws_lambda_alias.live) == 1 && aws_lambda_alias.live[0].name == "live"
    error_message = "The function should have one alias named live."
  }

  assert {
    condition     = aws_lambda_function.this.runtime == "python3.12" && aws_lambda_function.this.handler == "svc.api.handler"
    error_message = "The function should run svc.api.handler on python3.12."
  }

  assert {
    condition     = length(aws_lambda_event_source_mapping.queue) == 0
    error_message = "A function without queue_trigger should have no event source mapping."
  }
}

run "logs_are_kept_for_the_retention_period" {
  command = plan

  assert {
    condition     = aws_cloudwatch_log_group.function.name == "/aws/lambda/svc-test-api" && aws_cloudwatch_log_group.function.retention_in_days == 30
    error_message = "The function's log group should be /aws/lambda/<name> with 30 days retention."
  }
}

run "permissions_name_actions_and_resources" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for statement in data.aws_iam_policy_document.permissions.statement : [
        for action in statement.actions : !strcontains(action, "*")
      ]
    ]))
    error_message = "No IAM action may use a wildcard."
  }

  assert {
    condition = alltrue(flatten([
      for statement in data.aws_iam_policy_document.permissions.statement : [
        for resource in statement.resources : resource != "*"
      ]
    ]))
    error_message = "Every statement should name its resources."
  }

  assert {
    condition = !anytrue([
      for statement in data.aws_iam_policy_document.permissions.statement :
      statement.sid == "ConsumeTriggerQueue"
    ])
    error_message = "A function without a queue trigger may not receive from queues."
  }
}

run "worker_consumes_its_queue_with_partial_batch_responses" {
  command = plan

  variables {
    name    = "svc-test-worker"
    handler = "svc.worker.handler"
    queue_trigger = {
      queue_arn  = "arn:aws:sqs:eu-west-1:123456789012:svc-test-retry"
      batch_size = 3
    }
    queue_trigger_enabled = false
  }

  assert {
    condition     = aws_lambda_event_source_mapping.queue[0].function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "The worker should report failed messages one by one."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.queue[0].enabled == false
    error_message = "queue_trigger_enabled = false should disable the mapping."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.queue[0].batch_size == 3
    error_message = "The mapping should take 3 messages per batch."
  }

  assert {
    condition     = length(aws_lambda_alias.live) == 0 && !aws_lambda_function.this.publish
    error_message = "The worker should not publish versions or an alias by default."
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.permissions.statement :
      statement.sid == "ConsumeTriggerQueue" && contains(statement.resources, "arn:aws:sqs:eu-west-1:123456789012:svc-test-retry")
    ])
    error_message = "The worker should be allowed to consume its trigger queue and no other."
  }
}

run "bedrock_callers_invoke_only_the_named_model_and_read_no_secret" {
  command = plan

  variables {
    model_api_key_secret_arn = null
    bedrock_model_arns       = ["arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-test-v1:0"]
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.permissions.statement :
      statement.sid == "InvokeModel" && statement.resources == toset(["arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-test-v1:0"])
    ])
    error_message = "The role should invoke exactly the configured model."
  }

  assert {
    condition     = !anytrue([for statement in data.aws_iam_policy_document.permissions.statement : statement.sid == "ReadModelApiKey"])
    error_message = "Without a secret the role should read none."
  }
}

run "snapstart_applies_to_published_versions" {
  command = plan

  variables {
    publish_live_alias = true
    snap_start_enabled = true
  }

  assert {
    condition     = aws_lambda_function.this.snap_start[0].apply_on == "PublishedVersions"
    error_message = "SnapStart should apply to published versions."
  }
}

run "snapstart_without_published_versions_is_refused" {
  command = plan

  variables {
    snap_start_enabled = true
  }

  expect_failures = [var.snap_start_enabled]
}

run "handler_that_is_not_a_module_path_is_refused" {
  command = plan

  variables {
    handler = "handler"
  }

  expect_failures = [var.handler]
}

run "timeout_beyond_lambda_limit_is_refused" {
  command = plan

  variables {
    timeout_seconds = 901
  }

  expect_failures = [var.timeout_seconds]
}

run "batch_size_beyond_ten_is_refused" {
  command = plan

  variables {
    queue_trigger = {
      queue_arn  = "arn:aws:sqs:eu-west-1:123456789012:svc-test-retry"
      batch_size = 11
    }
  }

  expect_failures = [var.queue_trigger]
}

run "a_schedule_invokes_the_function_with_its_input" {
  command = plan

  variables {
    name    = "svc-test-worker"
    handler = "svc.worker.handler"
    schedule = {
      expression = "rate(5 minutes)"
      input      = "{\"sweep\":\"interrupted_requests\"}"
    }
    schedule_enabled   = false
    records_index_arns = ["arn:aws:dynamodb:eu-west-1:123456789012:table/svc-test-records/index/open"]
  }

  assert {
    condition     = aws_cloudwatch_event_rule.schedule[0].schedule_expression == "rate(5 minutes)" && aws_cloudwatch_event_rule.schedule[0].state == "DISABLED"
    error_message = "The rule should run every 5 minutes, and schedule_enabled = false should leave it disabled."
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_target.schedule[0].input) == { sweep = "interrupted_requests" }
    error_message = "The schedule should send the input it was given as the event."
  }

  assert {
    condition     = aws_lambda_permission.schedule[0].principal == "events.amazonaws.com" && aws_lambda_permission.schedule[0].function_name == "svc-test-worker"
    error_message = "Only EventBridge should be allowed to invoke the function on the schedule."
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.permissions.statement :
      statement.sid == "QueryRecordIndexes" && statement.actions == toset(["dynamodb:Query"]) && statement.resources == toset(var.records_index_arns)
    ])
    error_message = "The function should query only the indexes it was given."
  }
}

run "no_schedule_and_no_index_by_default" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_event_rule.schedule) == 0 && length(aws_lambda_permission.schedule) == 0
    error_message = "Without schedule, nothing should invoke the function on a timer."
  }

  assert {
    condition     = !anytrue([for statement in data.aws_iam_policy_document.permissions.statement : statement.sid == "QueryRecordIndexes"])
    error_message = "Without records_index_arns the function should query nothing."
  }
}

run "schedule_that_is_not_rate_or_cron_is_refused" {
  command = plan

  variables {
    schedule = {
      expression = "every 5 minutes"
      input      = "{}"
    }
  }

  expect_failures = [var.schedule]
}

run "platform_logs_are_json_in_the_functions_log_group" {
  command = plan

  variables {
    application_log_level = "WARN"
  }

  assert {
    condition     = aws_lambda_function.this.logging_config[0].log_format == "JSON" && aws_lambda_function.this.logging_config[0].log_group == "/aws/lambda/svc-test-api"
    error_message = "Lambda's own lines should be JSON, in the function's log group."
  }

  assert {
    condition     = aws_lambda_function.this.logging_config[0].application_log_level == "WARN"
    error_message = "Lambda should keep the service's lines at the level it was given."
  }
}
