variable "name" {
  description = "Name of the retry queue; the dead-letter queue is named \"<name>-dlq\". 1 to 76 letters, digits, hyphens or underscores."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,76}$", var.name))
    error_message = "The queue name \"${var.name}\" is not usable: SQS allows letters, digits, hyphens and underscores, and the \"-dlq\" suffix needs 4 of its 80 characters. Use at most 76 such characters."
  }
}

variable "consumer_timeout_seconds" {
  description = "Timeout of the function that consumes the retry queue, in seconds (1 to 900). Only used to check visibility_timeout_seconds."
  type        = number

  validation {
    condition     = var.consumer_timeout_seconds >= 1 && var.consumer_timeout_seconds <= 900
    error_message = "consumer_timeout_seconds is ${var.consumer_timeout_seconds}; a Lambda timeout is 1 to 900 seconds. Pass the worker function's timeout."
  }
}

variable "visibility_timeout_seconds" {
  description = "How long a received message stays hidden from other consumers, in seconds (0 to 43200). Must be at least 6 times consumer_timeout_seconds, as AWS advises for Lambda consumers, so a slow batch is never delivered twice."
  type        = number

  validation {
    condition     = var.visibility_timeout_seconds <= 43200
    error_message = "visibility_timeout_seconds is ${var.visibility_timeout_seconds}; SQS allows at most 43200 (12 hours). Shorten the worker timeout instead."
  }

  validation {
    condition     = var.visibility_timeout_seconds >= 6 * var.consumer_timeout_seconds
    error_message = "visibility_timeout_seconds is ${var.visibility_timeout_seconds}, less than 6 x the consumer timeout of ${var.consumer_timeout_seconds} s (${6 * var.consumer_timeout_seconds}). Raise it to at least ${6 * var.consumer_timeout_seconds} or lower the worker timeout."
  }
}

variable "max_receive_count" {
  description = "How many times a message may be received from the retry queue before SQS moves it to the dead-letter queue (1 to 1000). A backstop for messages that crash the worker; normal retries are counted by the worker itself."
  type        = number

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "max_receive_count is ${var.max_receive_count}; SQS accepts a whole number from 1 to 1000. Use the worker's attempt limit plus one."
  }
}

variable "message_retention_seconds" {
  description = "How long the retry queue keeps a message, in seconds (60 to 1209600, that is 1 minute to 14 days)."
  type        = number
  default     = 345600

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600
    error_message = "message_retention_seconds is ${var.message_retention_seconds}; SQS keeps messages 60 to 1209600 seconds. Pick a value in that range, for example 345600 (4 days)."
  }
}

variable "dead_letter_retention_seconds" {
  description = "How long the dead-letter queue keeps a message, in seconds (60 to 1209600). Defaults to the 14-day maximum so on-call has time to replay it; must outlast message_retention_seconds because a moved message keeps its original enqueue time."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dead_letter_retention_seconds >= 60 && var.dead_letter_retention_seconds <= 1209600
    error_message = "dead_letter_retention_seconds is ${var.dead_letter_retention_seconds}; SQS keeps messages 60 to 1209600 seconds. Use 1209600 (14 days) unless data rules say otherwise."
  }

  validation {
    condition     = var.dead_letter_retention_seconds >= var.message_retention_seconds
    error_message = "dead_letter_retention_seconds (${var.dead_letter_retention_seconds}) is shorter than message_retention_seconds (${var.message_retention_seconds}); a message moved to the dead-letter queue would expire early. Make the dead-letter retention at least as long."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key both queues are encrypted with; producers and consumers need kms:GenerateDataKey and kms:Decrypt on it."
  type        = string
}

variable "kms_data_key_reuse_seconds" {
  description = "How long SQS reuses a data key before calling KMS again, in seconds (60 to 86400); longer means fewer KMS calls."
  type        = number
  default     = 300

  validation {
    condition     = var.kms_data_key_reuse_seconds >= 60 && var.kms_data_key_reuse_seconds <= 86400
    error_message = "kms_data_key_reuse_seconds is ${var.kms_data_key_reuse_seconds}; SQS accepts 60 to 86400 seconds. Use 300 unless KMS costs say otherwise."
  }
}

variable "redrive_allow_policy_enabled" {
  description = "Whether the dead-letter queue accepts redriven messages from the retry queue only. Keep it on in AWS; turn it off only for an emulator without the API."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to both queues, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}
