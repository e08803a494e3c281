variable "name" {
  description = "Function name; also names its role and log group (1 to 58 letters, digits, hyphens or underscores, leaving room for the role's \"-role\" suffix)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,58}$", var.name))
    error_message = "The function name \"${var.name}\" is not usable: use 1 to 58 letters, digits, hyphens or underscores (IAM role names stop at 64 characters and this module appends \"-role\")."
  }
}

variable "description" {
  description = "One line saying what the function does, shown in the Lambda console."
  type        = string
  default     = ""
}

variable "handler" {
  description = "Entry point as <module path>.<function>, for example \"invoice_extraction.api.handler\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+$", var.handler))
    error_message = "The handler \"${var.handler}\" is not <module path>.<function>; write it like \"my_package.api.handler\"."
  }
}

variable "package_file" {
  description = "Path of the deployment zip built by scripts/build_package.py; its hash decides when the code is updated."
  type        = string
}

variable "runtime" {
  description = "Lambda runtime identifier; the package is built for it."
  type        = string
  default     = "python3.12"
}

variable "architecture" {
  description = "Instruction set the function runs on: \"x86_64\" or \"arm64\". It must match the platform the package's compiled dependencies were built for."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture is \"${var.architecture}\"; Lambda accepts \"x86_64\" or \"arm64\"."
  }
}

variable "memory_size_mb" {
  description = "Memory of one execution environment, in MB (128 to 10240); CPU grows with it."
  type        = number
  default     = 512

  validation {
    condition     = var.memory_size_mb >= 128 && var.memory_size_mb <= 10240
    error_message = "memory_size_mb is ${var.memory_size_mb}; Lambda accepts 128 to 10240 MB. 512 suits a function that mostly waits on the model."
  }
}

variable "timeout_seconds" {
  description = "How long one invocation may run, in seconds (1 to 900). Behind API Gateway it must stay under the 29-second integration limit."
  type        = number

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= 900 && floor(var.timeout_seconds) == var.timeout_seconds
    error_message = "timeout_seconds is ${var.timeout_seconds}; Lambda accepts a whole number of seconds from 1 to 900."
  }
}

variable "reserved_concurrency" {
  description = "Most concurrent executions this function may use, taken from the account's pool (0 to 1000); null leaves it unreserved. Use it to keep the model calls inside the provider's rate limit."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrency == null || try(var.reserved_concurrency >= 0 && var.reserved_concurrency <= 1000, false)
    error_message = "reserved_concurrency must be null or 0 to 1000; 0 stops the function entirely, so use it only to switch the service off."
  }
}

variable "environment_variables" {
  description = "Environment of the function: the settings listed in docs/rendered-contract.md of the template."
  type        = map(string)
  default     = {}
}

variable "log_retention_days" {
  description = "How many days CloudWatch keeps the function's logs; one of the values CloudWatch accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days is ${var.log_retention_days}, which CloudWatch does not accept; pick one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing: \"Active\" samples and traces requests, \"PassThrough\" only follows upstream decisions."
  type        = string
  default     = "Active"

  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing_mode)
    error_message = "tracing_mode is \"${var.tracing_mode}\"; use \"Active\" or \"PassThrough\"."
  }
}

variable "publish_live_alias" {
  description = "Whether every code or configuration change publishes a version and points the \"live\" alias at it. Callers should invoke the alias, so a rollback is one alias update."
  type        = bool
  default     = false
}

variable "records_table_arn" {
  description = "ARN of the records table the function reads and writes."
  type        = string
}

variable "send_queue_arns" {
  description = "ARNs of the queues the function may send to (the retry queue and the dead-letter queue)."
  type        = list(string)
  default     = []
}

variable "quarantine_bucket_arn" {
  description = "ARN of the bucket the function writes invalid replies to."
  type        = string
}

variable "idempotency_table_arn" {
  description = "ARN of the idempotency table the function records accepted requests in."
  type        = string
}

variable "budget_table_arn" {
  description = "ARN of the table of monthly model spend the function reads and adds to."
  type        = string
}

variable "kill_switch_parameter_arn" {
  description = "ARN of the SSM parameter the function reads before every model call."
  type        = string
}

variable "model_api_key_secret_arn" {
  description = "ARN of the secret holding the Anthropic API key, which the function may only read; null when the model is reached through Bedrock."
  type        = string
  default     = null
}

variable "bedrock_model_arns" {
  description = "ARNs of the Bedrock foundation models and inference profiles the function may invoke; empty when the model is reached through the Anthropic API."
  type        = list(string)
  default     = []
}

variable "json_platform_logs" {
  description = "Whether Lambda writes its own lines (START, END, REPORT) as JSON too, into the function's log group, so one Logs Insights query reads every line. The service's lines are JSON either way (Powertools)."
  type        = bool
  default     = true
}

variable "application_log_level" {
  description = "Lowest level of the service's own log lines that Lambda keeps (with json_platform_logs): DEBUG, INFO, WARN or ERROR."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.application_log_level)
    error_message = "application_log_level is \"${var.application_log_level}\"; use DEBUG, INFO, WARN or ERROR."
  }
}

variable "snap_start_enabled" {
  description = "Whether published versions start from a SnapStart snapshot, cutting cold starts. Needs publish_live_alias, since SnapStart applies to published versions only."
  type        = bool
  default     = false

  validation {
    condition     = !var.snap_start_enabled || var.publish_live_alias
    error_message = "snap_start_enabled is true but publish_live_alias is false; SnapStart only applies to published versions, so turn publish_live_alias on too."
  }
}

variable "queue_trigger" {
  description = "SQS queue that invokes this function, or null for none. batch_size is messages per invocation (1 to 10); maximum_concurrency caps concurrent invocations (2 to 1000, null for no cap). Failed messages are reported one by one (ReportBatchItemFailures)."
  type = object({
    queue_arn           = string
    batch_size          = optional(number, 1)
    maximum_concurrency = optional(number)
  })
  default = null

  validation {
    condition     = var.queue_trigger == null || try(var.queue_trigger.batch_size >= 1 && var.queue_trigger.batch_size <= 10, false)
    error_message = "queue_trigger.batch_size must be 1 to 10: larger batches need a batching window and risk outliving the function timeout."
  }

  validation {
    condition     = try(var.queue_trigger.maximum_concurrency == null, true) || try(var.queue_trigger.maximum_concurrency >= 2 && var.queue_trigger.maximum_concurrency <= 1000, false)
    error_message = "queue_trigger.maximum_concurrency must be null or 2 to 1000, the range Lambda accepts for SQS event sources."
  }
}

variable "schedule" {
  description = "Also invoke the function on this EventBridge schedule (`expression`: rate(...) or cron(...)), with `input` (a JSON document) as the event; null for no schedule."
  type = object({
    expression = string
    input      = string
  })
  default = null

  validation {
    condition     = var.schedule == null || can(regex("^(rate|cron)\\(.+\\)$", var.schedule.expression))
    error_message = "schedule.expression is \"${try(var.schedule.expression, "")}\"; use rate(5 minutes) or a cron(...) expression."
  }

  validation {
    condition     = var.schedule == null || can(jsondecode(var.schedule.input))
    error_message = "schedule.input must be a JSON document, e.g. jsonencode({ sweep = \"interrupted_requests\" })."
  }
}

variable "schedule_enabled" {
  description = "Whether the schedule invokes the function; off leaves the rule in place, disabled. Ignored without schedule."
  type        = bool
  default     = true
}

variable "records_index_arns" {
  description = "ARNs of the records table's indexes the function may query; empty for none."
  type        = list(string)
  default     = []
}

variable "queue_trigger_enabled" {
  description = "Whether the queue trigger polls; turn it off to pause the worker without losing messages. Ignored without queue_trigger."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "ARN of the service's customer-managed KMS key: it encrypts the function's log group and environment, and the role may use it to read and write the encrypted tables, queues, bucket and secret."
  type        = string
}

variable "permissions_boundary_arn" {
  description = "ARN of the policy that caps the execution role's permissions (the deploy role may create roles only with it), or null for none."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to the function, its role and its log group, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}
