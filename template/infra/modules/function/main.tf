# One Lambda function with its own role, log group and, as needed, a "live"
# alias for the API or an SQS trigger for the retry worker. Every permission
# names the resource it applies to.

data "aws_partition" "current" {}

data "aws_iam_policy_document" "assume_role" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name                 = "${var.name}-role"
  assume_role_policy   = data.aws_iam_policy_document.assume_role.json
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_cloudwatch_log_group" "function" {
  #checkov:skip=CKV_AWS_338:Retention is an answer per environment (log_retention_days); a year of logs holding client data is not a default.
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "permissions" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function.arn}:*"]
  }

  statement {
    sid = "ReadWriteRecords"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
    ]
    resources = [var.records_table_arn]
  }

  statement {
    sid = "RememberAcceptedRequests"
    actions = [
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
    ]
    resources = [var.idempotency_table_arn]
  }

  dynamic "statement" {
    for_each = length(var.records_index_arns) > 0 ? [1] : []

    content {
      sid       = "QueryRecordIndexes"
      actions   = ["dynamodb:Query"]
      resources = var.records_index_arns
    }
  }

  statement {
    sid       = "TrackMonthlySpend"
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    resources = [var.budget_table_arn]
  }

  statement {
    sid       = "ReadKillSwitch"
    actions   = ["ssm:GetParameter"]
    resources = [var.kill_switch_parameter_arn]
  }

  dynamic "statement" {
    for_each = length(var.send_queue_arns) > 0 ? [1] : []

    content {
      sid       = "SendToQueues"
      actions   = ["sqs:SendMessage"]
      resources = var.send_queue_arns
    }
  }

  dynamic "statement" {
    for_each = var.queue_trigger == null ? [] : [var.queue_trigger.queue_arn]

    content {
      sid = "ConsumeTriggerQueue"
      actions = [
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
      ]
      resources = [statement.value]
    }
  }

  # The tables, queues, bucket and secret are encrypted with this key.
  statement {
    sid       = "UseServiceKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid       = "WriteQuarantinedReplies"
    actions   = ["s3:PutObject"]
    resources = ["${var.quarantine_bucket_arn}/*"]
  }

  dynamic "statement" {
    for_each = var.model_api_key_secret_arn == null ? [] : [var.model_api_key_secret_arn]

    content {
      sid       = "ReadModelApiKey"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = length(var.bedrock_model_arns) > 0 ? [1] : []

    content {
      sid       = "InvokeModel"
      actions   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
      resources = var.bedrock_model_arns
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "least-privilege"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.permissions.json
}

# X-Ray accepts no resource-level permissions; the AWS managed policy grants
# exactly the two write actions tracing needs.
resource "aws_iam_role_policy_attachment" "xray" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:The function calls only AWS APIs and the model provider over TLS; a VPC would add NAT gateways and no isolation worth them.
  #checkov:skip=CKV_AWS_272:The zip is built reproducibly in CI and deployed by the OIDC deploy role only; code signing needs a Signer profile per account.
  #checkov:skip=CKV_AWS_116:No asynchronous invocations: API Gateway calls synchronously and the worker's failures are redriven by its SQS queue.
  function_name    = var.name
  description      = var.description
  role             = aws_iam_role.execution.arn
  handler          = var.handler
  runtime          = var.runtime
  architectures    = [var.architecture]
  filename         = var.package_file
  source_code_hash = filebase64sha256(var.package_file)
  memory_size      = var.memory_size_mb
  timeout          = var.timeout_seconds
  publish          = var.publish_live_alias

  reserved_concurrent_executions = coalesce(var.reserved_concurrency, -1)
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = var.environment_variables
  }

  tracing_config {
    mode = var.tracing_mode
  }

  dynamic "logging_config" {
    for_each = var.json_platform_logs ? [1] : []

    content {
      log_format = "JSON"
      log_group  = aws_cloudwatch_log_group.function.name
      # Lambda drops application lines below this level; Powertools reads
      # it too (AWS_LAMBDA_LOG_LEVEL), so the two never disagree.
      application_log_level = var.application_log_level
      system_log_level      = "INFO"
    }
  }

  dynamic "snap_start" {
    for_each = var.snap_start_enabled ? [1] : []

    content {
      apply_on = "PublishedVersions"
    }
  }

  tags = var.tags

  # The log group and the permissions must exist before the first
  # invocation, or its logs land in a group without retention.
  depends_on = [
    aws_cloudwatch_log_group.function,
    aws_iam_role_policy.execution,
    aws_iam_role_policy_attachment.xray,
  ]
}

resource "aws_lambda_alias" "live" {
  count = var.publish_live_alias ? 1 : 0

  name          = "live"
  description   = "The version callers invoke; scripts/canary.py moves it, gradually, to each new version."
  function_name = aws_lambda_function.this.function_name
  # Only the first version: from then on scripts/canary.py shifts the alias
  # (a weighted share of traffic, then all of it, or back on an alarm).
  # Were Terraform to own these, every apply would switch all traffic at
  # once and undo a canary in progress.
  function_version = aws_lambda_function.this.version

  lifecycle {
    ignore_changes = [function_version, routing_config]
  }
}

resource "aws_lambda_event_source_mapping" "queue" {
  count = var.queue_trigger == null ? 0 : 1

  event_source_arn        = var.queue_trigger.queue_arn
  function_name           = aws_lambda_function.this.arn
  batch_size              = var.queue_trigger.batch_size
  enabled                 = var.queue_trigger_enabled
  function_response_types = ["ReportBatchItemFailures"]

  dynamic "scaling_config" {
    for_each = var.queue_trigger.maximum_concurrency == null ? [] : [var.queue_trigger.maximum_concurrency]

    content {
      maximum_concurrency = scaling_config.value
    }
  }
}

resource "aws_cloudwatch_event_rule" "schedule" {
  count = var.schedule == null ? 0 : 1

  name                = var.name
  description         = "Invokes ${var.name} on a schedule."
  schedule_expression = var.schedule.expression
  state               = var.schedule_enabled ? "ENABLED" : "DISABLED"
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  count = var.schedule == null ? 0 : 1

  rule  = aws_cloudwatch_event_rule.schedule[0].name
  arn   = aws_lambda_function.this.arn
  input = var.schedule.input
}

resource "aws_lambda_permission" "schedule" {
  count = var.schedule == null ? 0 : 1

  statement_id  = "InvokeOnSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule[0].arn
}
