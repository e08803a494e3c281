# The whole service for one environment: storage, queues, the API function,
# the retry worker and the REST API, wired together. Environment roots call
# this module once; everything that differs between them is an input.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  name_prefix = "${var.project}-${var.environment}"
  anthropic   = var.model_provider == "anthropic"

  # The functions' settings. The Python package reads exactly these names;
  # rename one only together with the code. FUNCTION_TIMEOUT_SECONDS is
  # added per function below.
  function_environment = merge(
    {
      RECORDS_TABLE                = module.storage.table_name
      IDEMPOTENCY_TABLE            = module.storage.idempotency_table_name
      BUDGET_TABLE                 = module.storage.budget_table_name
      KILL_SWITCH_PARAMETER        = module.storage.kill_switch_parameter_name
      RETRY_QUEUE_URL              = module.retry_queue.queue_url
      DEAD_LETTER_QUEUE_URL        = module.retry_queue.dead_letter_queue_url
      QUARANTINE_BUCKET            = module.storage.quarantine_bucket_name
      MODEL_ID                     = var.model_id
      MODEL_TIMEOUT_SECONDS        = tostring(var.model_timeout_seconds)
      MODEL_MAX_RETRIES            = tostring(var.model_max_retries)
      MAX_OUTPUT_TOKENS            = tostring(var.max_output_tokens)
      RETRY_MAX_ATTEMPTS           = tostring(var.retry_max_attempts)
      MONTHLY_BUDGET_USD           = tostring(var.monthly_budget_usd)
      BUDGET_SOFT_LIMIT_PERCENT    = tostring(var.budget_soft_limit_percent)
      RECORD_RETENTION_DAYS        = tostring(var.record_retention_days)
      POWERTOOLS_SERVICE_NAME      = var.project
      POWERTOOLS_METRICS_NAMESPACE = var.project
      POWERTOOLS_LOG_LEVEL         = var.log_level
    },
    local.anthropic ? { MODEL_API_KEY_SECRET_ID = module.storage.model_api_key_secret_arn } : {},
  )

  # Bedrock: a cross-region inference profile ("eu.anthropic...") routes
  # to the foundation model in any region of its geography, so the role
  # needs the profile here and the model everywhere; a bare model id needs
  # only the model in this region.
  bedrock             = "arn:${data.aws_partition.current.partition}:bedrock"
  bedrock_region      = data.aws_region.current.name
  bedrock_base_model  = replace(var.model_id, "/^(us|eu|apac|au|jp|global)\\./", "")
  bedrock_via_profile = local.bedrock_base_model != var.model_id
  bedrock_profile_arns = [
    "${local.bedrock}:${local.bedrock_region}:${data.aws_caller_identity.current.account_id}:inference-profile/${var.model_id}",
    "${local.bedrock}:*::foundation-model/${local.bedrock_base_model}",
  ]
  bedrock_direct_arns = ["${local.bedrock}:${local.bedrock_region}::foundation-model/${var.model_id}"]
  bedrock_model_arns = (
    local.anthropic ? [] :
    local.bedrock_via_profile ? local.bedrock_profile_arns : local.bedrock_direct_arns
  )

  # Both functions may record outcomes anywhere a request can end.
  function_permissions = {
    records_table_arn         = module.storage.table_arn
    idempotency_table_arn     = module.storage.idempotency_table_arn
    budget_table_arn          = module.storage.budget_table_arn
    kill_switch_parameter_arn = module.storage.kill_switch_parameter_arn
    quarantine_bucket_arn     = module.storage.quarantine_bucket_arn
    model_api_key_secret_arn  = module.storage.model_api_key_secret_arn
    bedrock_model_arns        = local.bedrock_model_arns
    send_queue_arns = [
      module.retry_queue.queue_arn,
      module.retry_queue.dead_letter_queue_arn,
    ]
  }
}

module "storage" {
  source = "../storage"

  table_name                  = "${local.name_prefix}-records"
  idempotency_table_name      = "${local.name_prefix}-idempotency"
  budget_table_name           = "${local.name_prefix}-budget"
  kill_switch_parameter_name  = "/${var.project}/${var.environment}/kill-switch"
  deletion_protection_enabled = var.deletion_protection_enabled
  quarantine_bucket_name      = "${local.name_prefix}-quarantine-${data.aws_caller_identity.current.account_id}"
  quarantine_retention_days   = var.record_retention_days
  access_log_bucket_name      = "${local.name_prefix}-access-logs-${data.aws_caller_identity.current.account_id}"
  quarantine_force_destroy    = var.quarantine_force_destroy
  kms_deletion_window_days    = var.kms_deletion_window_days
  enforce_tls                 = var.quarantine_tls_only
  model_api_key_secret_name   = local.anthropic ? "${var.project}/${var.environment}/anthropic-api-key" : null
  secret_recovery_window_days = var.secret_recovery_window_days
  tags                        = var.tags
}

module "retry_queue" {
  source = "../queues"

  name                       = "${local.name_prefix}-retry"
  consumer_timeout_seconds   = var.worker_timeout_seconds
  visibility_timeout_seconds = var.retry_queue_visibility_seconds

  # The worker counts attempts itself and sends a request to the
  # dead-letter queue after the last one. SQS's own count is the backstop
  # for a message that crashes the worker every time: one receive more than
  # the worker would ever need.
  max_receive_count = var.retry_max_attempts + 1

  kms_key_arn                  = module.storage.kms_key_arn
  redrive_allow_policy_enabled = var.dead_letter_redrive_allow_enabled

  tags = var.tags
}

module "api_function" {
  source = "../function"

  name               = "${local.name_prefix}-api"
  description        = "Answers POST /requests and GET /requests/{request_id}."
  handler            = "${var.package_name}.api.handler"
  package_file       = var.package_file
  timeout_seconds    = var.api_timeout_seconds
  log_retention_days = var.log_retention_days
  json_platform_logs = var.json_platform_logs
  # Lambda spells Python's WARNING as WARN.
  application_log_level = var.log_level == "WARNING" ? "WARN" : var.log_level

  publish_live_alias = true
  snap_start_enabled = var.snapstart

  # Keeps synchronous model calls inside the provider's rate limit, and
  # leaves the rest of the account's pool to everything else.
  reserved_concurrency = var.api_reserved_concurrency
  environment_variables = merge(local.function_environment, {
    FUNCTION_TIMEOUT_SECONDS = tostring(var.api_timeout_seconds)
  })

  records_table_arn         = local.function_permissions.records_table_arn
  idempotency_table_arn     = local.function_permissions.idempotency_table_arn
  budget_table_arn          = local.function_permissions.budget_table_arn
  kill_switch_parameter_arn = local.function_permissions.kill_switch_parameter_arn
  quarantine_bucket_arn     = local.function_permissions.quarantine_bucket_arn
  model_api_key_secret_arn  = local.function_permissions.model_api_key_secret_arn
  bedrock_model_arns        = local.function_permissions.bedrock_model_arns
  send_queue_arns           = local.function_permissions.send_queue_arns
  kms_key_arn               = module.storage.kms_key_arn
  permissions_boundary_arn  = var.permissions_boundary_arn

  tags = var.tags
}

module "worker_function" {
  source = "../function"

  name               = "${local.name_prefix}-worker"
  description        = "Retries requests that failed for a transient reason."
  handler            = "${var.package_name}.worker.handler"
  package_file       = var.package_file
  timeout_seconds    = var.worker_timeout_seconds
  log_retention_days = var.log_retention_days
  json_platform_logs = var.json_platform_logs
  # Lambda spells Python's WARNING as WARN.
  application_log_level = var.log_level == "WARNING" ? "WARN" : var.log_level

  environment_variables = merge(local.function_environment, {
    FUNCTION_TIMEOUT_SECONDS = tostring(var.worker_timeout_seconds)
  })

  queue_trigger = {
    queue_arn           = module.retry_queue.queue_arn
    batch_size          = var.worker_batch_size
    maximum_concurrency = var.worker_maximum_concurrency
  }
  queue_trigger_enabled = var.worker_trigger_enabled

  # Ends requests whose API invocation died before recording how they ended
  # (worker.SWEEP_EVENT); no invocation outlives 15 minutes, so every 5
  # finds each such request within 20 minutes of its start.
  schedule = {
    expression = "rate(5 minutes)"
    input      = jsonencode({ sweep = "interrupted_requests" })
  }
  schedule_enabled   = var.worker_trigger_enabled
  records_index_arns = [module.storage.open_api_attempts_index_arn]

  records_table_arn         = local.function_permissions.records_table_arn
  idempotency_table_arn     = local.function_permissions.idempotency_table_arn
  budget_table_arn          = local.function_permissions.budget_table_arn
  kill_switch_parameter_arn = local.function_permissions.kill_switch_parameter_arn
  quarantine_bucket_arn     = local.function_permissions.quarantine_bucket_arn
  model_api_key_secret_arn  = local.function_permissions.model_api_key_secret_arn
  bedrock_model_arns        = local.function_permissions.bedrock_model_arns
  send_queue_arns           = local.function_permissions.send_queue_arns
  kms_key_arn               = module.storage.kms_key_arn
  permissions_boundary_arn  = var.permissions_boundary_arn

  tags = var.tags
}

module "api" {
  source = "../api"

  name                  = local.name_prefix
  description           = var.api_description
  request_schema        = file("${path.module}/request.schema.json")
  validate_request_body = var.on_bad_input == "reject"
  function_name         = module.api_function.function_name
  function_qualifier    = module.api_function.alias_name
  function_invoke_arn   = module.api_function.function_invoke_arn
  caller_auth           = var.caller_auth
  cors_enabled          = length(var.allowed_origins) > 0
  cors_allowed_origin   = try(var.allowed_origins[0], null)
  client_daily_quota    = var.client_daily_quota
  kms_key_arn           = module.storage.kms_key_arn
  access_logs_enabled   = var.api_access_logs_enabled

  access_log_retention_days      = var.log_retention_days
  manage_account_cloudwatch_role = var.manage_api_gateway_account_role
  throttling_rate_limit          = var.throttling_rate_limit
  throttling_burst_limit         = var.throttling_burst_limit
  client_rate_limit              = var.client_rate_limit
  client_burst_limit             = var.client_burst_limit
  permissions_boundary_arn       = var.permissions_boundary_arn
  tags                           = var.tags
}
