# Plan-level facts of the REST API, with a mocked provider: no AWS call.

mock_provider "aws" {}

variables {
  name = "svc-test"
  request_schema = jsonencode({
    type       = "object"
    required   = ["document"]
    properties = { document = { type = "string", description = "Costs $${x} %%{y}" } }
  })
  function_name          = "svc-test-api"
  function_qualifier     = "live"
  function_invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:svc-test-api:live/invocations"
  throttling_rate_limit  = 5
  throttling_burst_limit = 10
  client_rate_limit      = 2
  client_burst_limit     = 4
  kms_key_arn            = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
}

run "stage_and_api_keys_are_throttled" {
  command = plan

  assert {
    condition     = aws_api_gateway_method_settings.all.method_path == "*/*"
    error_message = "Throttling should apply to every route of the stage."
  }

  assert {
    condition     = aws_api_gateway_method_settings.all.settings[0].throttling_rate_limit == 5 && aws_api_gateway_method_settings.all.settings[0].throttling_burst_limit == 10
    error_message = "The stage should accept 5 requests a second with bursts of 10."
  }

  assert {
    condition     = aws_api_gateway_usage_plan.this[0].throttle_settings[0].rate_limit == 2 && aws_api_gateway_usage_plan.this[0].throttle_settings[0].burst_limit == 4
    error_message = "One API key should get 2 requests a second with bursts of 4."
  }

  assert {
    condition     = aws_api_gateway_method.create.api_key_required && aws_api_gateway_method.read.api_key_required
    error_message = "Both routes should require an API key."
  }

  assert {
    condition     = length(aws_api_gateway_usage_plan_key.this) == 1
    error_message = "The first caller's key should be in the usage plan."
  }
}

run "post_body_is_validated_against_the_input_model" {
  command = plan

  assert {
    condition     = jsondecode(aws_api_gateway_model.request.schema).required == ["document"]
    error_message = "The model should carry the input schema."
  }

  assert {
    condition     = jsondecode(aws_api_gateway_model.request.schema).properties.document.description == "Costs $${x} %%{y}"
    error_message = "Template sequences in descriptions should reach the model as text."
  }

  assert {
    condition     = aws_api_gateway_request_validator.body.validate_request_body
    error_message = "The validator should check request bodies."
  }

  assert {
    condition     = aws_api_gateway_method.create.request_models["application/json"] == "CreateRequest"
    error_message = "POST /requests should use the CreateRequest model."
  }

  assert {
    condition     = aws_api_gateway_method.create.request_models["$default"] == "CreateRequest"
    error_message = "A body of any other content type (text/plain too) should be checked against the same model."
  }
}

run "body_reaches_the_function_unchecked_when_it_must_see_bad_input" {
  command = plan

  variables {
    validate_request_body = false
  }

  assert {
    condition     = !aws_api_gateway_request_validator.body.validate_request_body && aws_api_gateway_request_validator.body.validate_request_parameters
    error_message = "With validate_request_body off, only the path parameter should be checked."
  }
}

run "routes_invoke_the_live_alias" {
  command = plan

  assert {
    condition     = aws_api_gateway_integration.create.type == "AWS_PROXY" && aws_api_gateway_integration.read.type == "AWS_PROXY"
    error_message = "Both routes should be Lambda proxy integrations."
  }

  assert {
    condition     = endswith(aws_api_gateway_integration.create.uri, ":live/invocations")
    error_message = "API Gateway should invoke the live alias."
  }

  assert {
    condition     = aws_lambda_permission.create.qualifier == "live" && aws_lambda_permission.read.qualifier == "live"
    error_message = "The invoke permissions should be for the live alias."
  }

  assert {
    condition     = length(aws_api_gateway_method.preflight) == 0
    error_message = "Without CORS there should be no OPTIONS routes."
  }
}

run "iam_callers_sign_requests_and_get_no_api_key" {
  command = plan

  variables {
    caller_auth = "iam"
  }

  assert {
    condition     = aws_api_gateway_method.create.authorization == "AWS_IAM" && !aws_api_gateway_method.create.api_key_required
    error_message = "With IAM callers, POST /requests should need a SigV4 signature and no key."
  }

  assert {
    condition     = length(aws_api_gateway_usage_plan.this) == 0 && length(aws_api_gateway_api_key.this) == 0
    error_message = "With IAM callers there should be no usage plan or API key."
  }
}

run "cors_adds_unauthenticated_preflight_routes" {
  command = plan

  variables {
    cors_enabled = true
  }

  assert {
    condition     = length(aws_api_gateway_method.preflight) == 2 && alltrue([for m in aws_api_gateway_method.preflight : m.http_method == "OPTIONS" && m.authorization == "NONE" && !m.api_key_required])
    error_message = "CORS should add OPTIONS to both paths, without a key or signature."
  }

  assert {
    condition     = length(aws_lambda_permission.preflight) == 1
    error_message = "API Gateway should be allowed to invoke the function for preflights."
  }
}

run "burst_below_the_rate_is_refused" {
  command = plan

  variables {
    throttling_burst_limit = 4
    client_burst_limit     = 4
  }

  expect_failures = [var.throttling_burst_limit]
}

run "per_key_rate_above_the_stage_rate_is_refused" {
  command = plan

  variables {
    client_rate_limit = 6
  }

  expect_failures = [var.client_rate_limit]
}

run "stage_writes_json_access_logs_to_an_encrypted_group" {
  command = plan

  assert {
    condition     = can(jsondecode(aws_api_gateway_stage.this.access_log_settings[0].format).requestId)
    error_message = "The stage's access-log format should be JSON with the request id."
  }

  assert {
    condition     = aws_cloudwatch_log_group.access[0].kms_key_id == var.kms_key_arn
    error_message = "The access-log group should be encrypted with the service's key."
  }

  assert {
    condition     = length(aws_api_gateway_account.this) == 0
    error_message = "The account-wide CloudWatch role should be left alone unless asked for."
  }
}

run "usage_plan_has_a_daily_quota" {
  command = plan

  variables {
    client_daily_quota = 500
  }

  assert {
    condition     = aws_api_gateway_usage_plan.this[0].quota_settings[0].limit == 500 && aws_api_gateway_usage_plan.this[0].quota_settings[0].period == "DAY"
    error_message = "Each API key should get a quota of 500 requests a day."
  }
}

run "gateway_errors_carry_the_allowed_origin" {
  command = plan

  variables {
    cors_enabled        = true
    cors_allowed_origin = "https://app.example.com"
  }

  assert {
    condition     = toset(keys(aws_api_gateway_gateway_response.cors)) == toset(["DEFAULT_4XX", "DEFAULT_5XX"])
    error_message = "Both default gateway responses should carry CORS headers."
  }

  assert {
    condition     = aws_api_gateway_gateway_response.cors["DEFAULT_4XX"].response_parameters["gatewayresponse.header.Access-Control-Allow-Origin"] == "'https://app.example.com'"
    error_message = "Gateway errors should name the allowed origin, quoted as API Gateway expects."
  }

  assert {
    condition     = aws_api_gateway_gateway_response.bad_request_body.response_parameters["gatewayresponse.header.Access-Control-Allow-Origin"] == "'https://app.example.com'"
    error_message = "The schema's 400 answer should carry the allowed origin too."
  }
}

run "no_cors_headers_without_an_origin" {
  command = plan

  assert {
    condition     = length(aws_api_gateway_gateway_response.cors) == 0
    error_message = "Without an allowed origin no gateway response should carry CORS headers."
  }
}
