variable "name" {
  description = "Name of the REST API; also names its usage plan and API key."
  type        = string

  validation {
    condition     = length(var.name) >= 1 && length(var.name) <= 1024
    error_message = "The API name is ${length(var.name)} characters; API Gateway accepts 1 to 1024."
  }
}

variable "description" {
  description = "What the API does, shown in the API Gateway console."
  type        = string
  default     = ""
}

variable "request_schema" {
  description = "JSON Schema (draft 4) of the body of POST /requests, as a JSON string; API Gateway rejects non-matching bodies with 400 before the function runs."
  type        = string

  validation {
    condition     = can(jsondecode(var.request_schema).type)
    error_message = "request_schema is not a JSON object with a \"type\"; pass a JSON Schema document such as jsonencode({ type = \"object\", properties = {} })."
  }
}

variable "validate_request_body" {
  description = "Whether API Gateway answers 400 itself, without calling the function, when a body does not match request_schema. Turn it off when the function must see such bodies, for example to set them aside for review."
  type        = bool
  default     = true
}

variable "caller_auth" {
  description = "How callers prove who they are: \"api_key\" (x-api-key header, per-key limits in a usage plan) or \"iam\" (SigV4-signed requests, for callers inside AWS)."
  type        = string
  default     = "api_key"

  validation {
    condition     = contains(["api_key", "iam"], var.caller_auth)
    error_message = "caller_auth is \"${var.caller_auth}\"; use \"api_key\" or \"iam\"."
  }
}

variable "cors_enabled" {
  description = "Whether browsers may call the API: adds OPTIONS routes, without authentication, that the function answers with the allowed origins."
  type        = bool
  default     = false
}

variable "function_name" {
  description = "Name of the Lambda function behind the API."
  type        = string
}

variable "function_qualifier" {
  description = "Alias of the function API Gateway invokes (for example \"live\"), or null for the unqualified function."
  type        = string
  default     = null
}

variable "function_invoke_arn" {
  description = "Invoke ARN of the same function and qualifier, from the function module's function_invoke_arn output."
  type        = string
}

variable "integration_timeout_ms" {
  description = "How long API Gateway waits for the function, in milliseconds (50 to 29000). Keep it above the function timeout so the function, not the gateway, decides the answer."
  type        = number
  default     = 29000

  validation {
    condition     = var.integration_timeout_ms >= 50 && var.integration_timeout_ms <= 29000
    error_message = "integration_timeout_ms is ${var.integration_timeout_ms}; REST integrations accept 50 to 29000 ms by default. Use 29000 and a shorter function timeout."
  }
}

variable "stage_name" {
  description = "Name of the stage, the first path segment of every URL (letters, digits, hyphens or underscores)."
  type        = string
  default     = "v1"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.stage_name))
    error_message = "The stage name \"${var.stage_name}\" is not usable; use 1 to 128 letters, digits, hyphens or underscores."
  }
}

variable "throttling_rate_limit" {
  description = "Steady-state requests per second the stage accepts across all callers (greater than 0); above it API Gateway answers 429."
  type        = number

  validation {
    condition     = var.throttling_rate_limit > 0
    error_message = "throttling_rate_limit is ${var.throttling_rate_limit}; use a positive number of requests per second."
  }
}

variable "throttling_burst_limit" {
  description = "Requests the stage accepts in a burst above the steady rate (1 or more, at least the rate limit)."
  type        = number

  validation {
    condition     = var.throttling_burst_limit >= 1 && var.throttling_burst_limit >= var.throttling_rate_limit && floor(var.throttling_burst_limit) == var.throttling_burst_limit
    error_message = "throttling_burst_limit is ${var.throttling_burst_limit}; use a whole number at least as large as throttling_rate_limit (${var.throttling_rate_limit}), or a burst of one second is refused."
  }
}

variable "client_rate_limit" {
  description = "Steady-state requests per second one API key may send (greater than 0, at most throttling_rate_limit). Used with caller_auth \"api_key\" only."
  type        = number

  validation {
    condition     = var.client_rate_limit > 0 && var.client_rate_limit <= var.throttling_rate_limit
    error_message = "client_rate_limit is ${var.client_rate_limit}; use a positive number no larger than the stage's throttling_rate_limit (${var.throttling_rate_limit})."
  }
}

variable "client_burst_limit" {
  description = "Requests one API key may send in a burst (1 or more, at most throttling_burst_limit). Used with caller_auth \"api_key\" only."
  type        = number

  validation {
    condition     = var.client_burst_limit >= 1 && var.client_burst_limit <= var.throttling_burst_limit && floor(var.client_burst_limit) == var.client_burst_limit
    error_message = "client_burst_limit is ${var.client_burst_limit}; use a whole number from 1 to the stage's throttling_burst_limit (${var.throttling_burst_limit})."
  }
}

variable "client_daily_quota" {
  description = "Requests one API key may send per day, or null for no quota; past it API Gateway answers 429 until midnight UTC. Used with caller_auth \"api_key\" only."
  type        = number
  default     = null

  validation {
    condition     = var.client_daily_quota == null || try(var.client_daily_quota >= 1, false)
    error_message = "client_daily_quota must be null or a positive whole number of requests per day."
  }
}

variable "xray_tracing_enabled" {
  description = "Whether the stage sends traces to X-Ray, joining them with the function's."
  type        = bool
  default     = true
}

variable "cors_allowed_origin" {
  description = "Origin put in the Access-Control-Allow-Origin header of the errors API Gateway answers itself (DEFAULT_4XX and DEFAULT_5XX), or null for none. A header holds one origin: with several allowed origins pass the main one; browsers at the others see such errors as CORS failures."
  type        = string
  default     = null

  validation {
    condition     = var.cors_allowed_origin == null || can(regex("^https?://[^/'\\s]+$", var.cors_allowed_origin))
    error_message = "cors_allowed_origin is \"${coalesce(var.cors_allowed_origin, "null")}\"; use scheme and host without a path or quotes, for example https://app.example.com."
  }
}

variable "access_logs_enabled" {
  description = "Whether the stage writes one JSON access-log line per request to CloudWatch. API Gateway needs the account's CloudWatch role for it (see manage_account_cloudwatch_role)."
  type        = bool
  default     = true
}

variable "access_log_retention_days" {
  description = "How many days CloudWatch keeps the access logs; one of the values CloudWatch accepts, such as 30, 90 or 365."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.access_log_retention_days)
    error_message = "access_log_retention_days is ${var.access_log_retention_days}, which CloudWatch does not accept; pick one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key the access-log group is encrypted with; its policy must let CloudWatch Logs use it."
  type        = string
}

variable "manage_account_cloudwatch_role" {
  description = "Whether this module sets the API Gateway CloudWatch role of the whole account and region (aws_api_gateway_account). Access and execution logs need that role once per account and region; turn this on in exactly one configuration there, and leave it off when another stack or the console already set it, or the two will overwrite each other."
  type        = bool
  default     = false
}

variable "permissions_boundary_arn" {
  description = "ARN of the policy that caps the API Gateway logging role's permissions, or null for none."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to the API, stage, usage plan and key, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}
