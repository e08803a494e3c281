# A REST API with two routes, both proxied to one Lambda function:
#   POST /requests               body checked against the request model
#                                (unless validate_request_body is off)
#   GET  /requests/{request_id}  path parameter required
# Callers authenticate with an API key (per-key limits in a usage plan) or
# with IAM signatures; the stage throttles all of them together. With CORS
# on, OPTIONS on both paths reaches the function without authentication so
# it can answer the browser's preflight.

data "aws_partition" "current" {}

locals {
  iam_auth      = var.caller_auth == "iam"
  authorization = local.iam_auth ? "AWS_IAM" : "NONE"

  # The paths browsers may send a preflight for, when CORS is on.
  preflight_resources = var.cors_enabled ? {
    requests = aws_api_gateway_resource.requests.id
    request  = aws_api_gateway_resource.request.id
  } : {}
}

resource "aws_api_gateway_rest_api" "this" {
  #checkov:skip=CKV_AWS_237:Replacing the API would change its id and URL for every caller; the deployment, not the API, is created before it is destroyed.
  name        = var.name
  description = var.description
  tags        = var.tags

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_resource" "requests" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = "requests"
}

resource "aws_api_gateway_resource" "request" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.requests.id
  path_part   = "{request_id}"
}

resource "aws_api_gateway_model" "request" {
  rest_api_id  = aws_api_gateway_rest_api.this.id
  name         = "CreateRequest"
  description  = "Body of POST /requests: the input fields agreed in discovery."
  content_type = "application/json"

  # Compact JSON, as API Gateway gives it back, so an indented schema file
  # does not show as a change on every plan.
  schema = jsonencode(jsondecode(var.request_schema))
}

resource "aws_api_gateway_request_validator" "body" {
  rest_api_id                 = aws_api_gateway_rest_api.this.id
  name                        = var.validate_request_body ? "body-and-parameters" : "parameters-only"
  validate_request_body       = var.validate_request_body
  validate_request_parameters = true
}

resource "aws_api_gateway_method" "create" {
  rest_api_id          = aws_api_gateway_rest_api.this.id
  resource_id          = aws_api_gateway_resource.requests.id
  http_method          = "POST"
  authorization        = local.authorization
  api_key_required     = !local.iam_auth
  request_validator_id = aws_api_gateway_request_validator.body.id

  # API Gateway checks a body only against the model of its Content-Type;
  # without a $default entry a caller could send the same JSON as
  # text/plain and skip validation. Every content type gets the model.
  request_models = {
    "application/json" = aws_api_gateway_model.request.name
    "$default"         = aws_api_gateway_model.request.name
  }
}

resource "aws_api_gateway_integration" "create" {
  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_resource.requests.id
  http_method             = aws_api_gateway_method.create.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.function_invoke_arn
  timeout_milliseconds    = var.integration_timeout_ms
}

resource "aws_api_gateway_method" "read" {
  rest_api_id          = aws_api_gateway_rest_api.this.id
  resource_id          = aws_api_gateway_resource.request.id
  http_method          = "GET"
  authorization        = local.authorization
  api_key_required     = !local.iam_auth
  request_validator_id = aws_api_gateway_request_validator.body.id

  request_parameters = {
    "method.request.path.request_id" = true
  }
}

resource "aws_api_gateway_integration" "read" {
  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_resource.request.id
  http_method             = aws_api_gateway_method.read.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.function_invoke_arn
  timeout_milliseconds    = var.integration_timeout_ms
}

# Browsers send a preflight without credentials, so these routes need none;
# the function answers them with the allowed origins only.
resource "aws_api_gateway_method" "preflight" {
  #checkov:skip=CKV2_AWS_53:A preflight has no body or parameters to validate; the function answers it from the Origin header alone.
  for_each = local.preflight_resources

  rest_api_id      = aws_api_gateway_rest_api.this.id
  resource_id      = each.value
  http_method      = "OPTIONS"
  authorization    = "NONE"
  api_key_required = false
}

resource "aws_api_gateway_integration" "preflight" {
  for_each = aws_api_gateway_method.preflight

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = each.value.resource_id
  http_method             = each.value.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.function_invoke_arn
  timeout_milliseconds    = var.integration_timeout_ms
}

# A body that fails the model gets the same {"message": ...} shape as every
# other error of the service, instead of API Gateway's default.
resource "aws_api_gateway_gateway_response" "bad_request_body" {
  rest_api_id   = aws_api_gateway_rest_api.this.id
  response_type = "BAD_REQUEST_BODY"
  status_code   = "400"

  # A configured response type no longer inherits DEFAULT_4XX, so it needs
  # the CORS headers of its own.
  response_parameters = var.cors_allowed_origin == null ? {} : {
    "gatewayresponse.header.Access-Control-Allow-Origin" = "'${var.cors_allowed_origin}'"
    "gatewayresponse.header.Vary"                        = "'Origin'"
  }

  response_templates = {
    "application/json" = "{\"message\": \"The request body does not match the input model; check the field names, types and required fields.\"}"
  }
}

# Errors API Gateway answers itself (missing key, throttled, timeout) carry
# the allowed origin too, so a browser can read them instead of reporting a
# CORS failure.
resource "aws_api_gateway_gateway_response" "cors" {
  for_each = var.cors_allowed_origin == null ? toset([]) : toset(["DEFAULT_4XX", "DEFAULT_5XX"])

  rest_api_id   = aws_api_gateway_rest_api.this.id
  response_type = each.value

  response_parameters = {
    "gatewayresponse.header.Access-Control-Allow-Origin" = "'${var.cors_allowed_origin}'"
    "gatewayresponse.header.Vary"                        = "'Origin'"
  }
}

# A new deployment only when the API definition changes: the hash covers
# the identity of every route and integration and the settings given to
# them (as configured, not as read back), never the time.
resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  description = "Routes and models as of the last change to the API definition."

  triggers = {
    definition = sha1(jsonencode({
      ids = concat(
        [
          aws_api_gateway_resource.requests.id,
          aws_api_gateway_resource.request.id,
          aws_api_gateway_method.create.id,
          aws_api_gateway_method.read.id,
          aws_api_gateway_integration.create.id,
          aws_api_gateway_integration.read.id,
          aws_api_gateway_request_validator.body.id,
        ],
        [for method in aws_api_gateway_method.preflight : method.id],
        [for integration in aws_api_gateway_integration.preflight : integration.id],
      )
      request_schema         = var.request_schema
      validate_request_body  = var.validate_request_body
      caller_auth            = var.caller_auth
      function_invoke_arn    = var.function_invoke_arn
      integration_timeout_ms = var.integration_timeout_ms
      bad_request_body       = aws_api_gateway_gateway_response.bad_request_body.response_templates
      cors_allowed_origin    = var.cors_allowed_origin
    }))
  }

  lifecycle {
    create_before_destroy = true
  }
}

# One JSON line per request: who called, what was answered, how long it took.
resource "aws_cloudwatch_log_group" "access" {
  #checkov:skip=CKV_AWS_338:Retention is an answer per environment (access_log_retention_days); a year of caller addresses is not a default.
  count = var.access_logs_enabled ? 1 : 0

  name              = "/aws/apigateway/${var.name}/access"
  retention_in_days = var.access_log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_api_gateway_stage" "this" {
  #checkov:skip=CKV_AWS_120:Every POST creates a new request and every GET reads a record that changes; a cache would answer with stale states.
  #checkov:skip=CKV2_AWS_29:Callers need an API key or a SigV4 signature and are throttled per stage and per key; a WAF web ACL is an account-level choice, attach one with aws_wafv2_web_acl_association.
  #checkov:skip=CKV2_AWS_51:Callers authenticate with API keys or IAM signatures; mutual TLS needs a custom domain and a client CA the client does not have.
  #checkov:skip=CKV2_AWS_4:Execution logs need the account-wide CloudWatch role (manage_account_cloudwatch_role, opt-in); the JSON access logs record every request.
  rest_api_id          = aws_api_gateway_rest_api.this.id
  deployment_id        = aws_api_gateway_deployment.this.id
  stage_name           = var.stage_name
  xray_tracing_enabled = var.xray_tracing_enabled
  tags                 = var.tags

  dynamic "access_log_settings" {
    for_each = var.access_logs_enabled ? [1] : []

    content {
      destination_arn = aws_cloudwatch_log_group.access[0].arn
      format = jsonencode({
        requestId          = "$context.requestId"
        extendedRequestId  = "$context.extendedRequestId"
        requestTime        = "$context.requestTime"
        httpMethod         = "$context.httpMethod"
        resourcePath       = "$context.resourcePath"
        status             = "$context.status"
        responseLength     = "$context.responseLength"
        responseLatency    = "$context.responseLatency"
        integrationLatency = "$context.integration.latency"
        integrationStatus  = "$context.integration.status"
        errorMessage       = "$context.error.message"
        apiKeyId           = "$context.identity.apiKeyId"
        caller             = "$context.identity.caller"
        sourceIp           = "$context.identity.sourceIp"
        userAgent          = "$context.identity.userAgent"
        xrayTraceId        = "$context.xrayTraceId"
      })
    }
  }

  depends_on = [aws_api_gateway_account.this]
}

# API Gateway writes logs through one role per account and region, shared by
# every API there; only one configuration may manage it.
data "aws_iam_policy_document" "apigateway_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "apigateway_logs" {
  count = var.manage_account_cloudwatch_role ? 1 : 0

  name                 = "${var.name}-apigateway-logs"
  assume_role_policy   = data.aws_iam_policy_document.apigateway_assume.json
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_iam_role_policy_attachment" "apigateway_logs" {
  count = var.manage_account_cloudwatch_role ? 1 : 0

  role       = aws_iam_role.apigateway_logs[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count = var.manage_account_cloudwatch_role ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.apigateway_logs[0].arn
  depends_on          = [aws_iam_role_policy_attachment.apigateway_logs]
}

# Stage-wide limits for every route and caller together.
resource "aws_api_gateway_method_settings" "all" {
  #checkov:skip=CKV_AWS_225:No caching: records change between reads and every POST is new work (see the stage).
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  settings {
    metrics_enabled        = true
    throttling_rate_limit  = var.throttling_rate_limit
    throttling_burst_limit = var.throttling_burst_limit
  }
}

# Per-key limits, with API keys only: IAM callers share the stage's limits.
resource "aws_api_gateway_usage_plan" "this" {
  count = local.iam_auth ? 0 : 1

  name        = "${var.name}-clients"
  description = "Per-key limits for the callers of ${var.name}."
  tags        = var.tags

  api_stages {
    api_id = aws_api_gateway_rest_api.this.id
    stage  = aws_api_gateway_stage.this.stage_name
  }

  throttle_settings {
    rate_limit  = var.client_rate_limit
    burst_limit = var.client_burst_limit
  }

  dynamic "quota_settings" {
    for_each = var.client_daily_quota == null ? [] : [var.client_daily_quota]

    content {
      limit  = quota_settings.value
      period = "DAY"
    }
  }
}

resource "aws_api_gateway_api_key" "this" {
  count = local.iam_auth ? 0 : 1

  name        = "${var.name}-client"
  description = "Key of the first caller; add one key per caller to the usage plan."
  tags        = var.tags
}

resource "aws_api_gateway_usage_plan_key" "this" {
  count = local.iam_auth ? 0 : 1

  key_id        = aws_api_gateway_api_key.this[0].id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.this[0].id
}

resource "aws_lambda_permission" "create" {
  statement_id  = "AllowApiGatewayCreateRequest"
  action        = "lambda:InvokeFunction"
  principal     = "apigateway.amazonaws.com"
  function_name = var.function_name
  qualifier     = var.function_qualifier
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/${var.stage_name}/POST/requests"
}

resource "aws_lambda_permission" "read" {
  statement_id  = "AllowApiGatewayReadRequest"
  action        = "lambda:InvokeFunction"
  principal     = "apigateway.amazonaws.com"
  function_name = var.function_name
  qualifier     = var.function_qualifier
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/${var.stage_name}/GET/requests/*"
}

resource "aws_lambda_permission" "preflight" {
  count = var.cors_enabled ? 1 : 0

  statement_id  = "AllowApiGatewayPreflight"
  action        = "lambda:InvokeFunction"
  principal     = "apigateway.amazonaws.com"
  function_name = var.function_name
  qualifier     = var.function_qualifier
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/${var.stage_name}/OPTIONS/requests*"
}
