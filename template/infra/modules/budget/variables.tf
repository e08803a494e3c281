variable "name" {
  description = "Name of the budget, unique in the account (1 to 100 characters; no colon or backslash)."
  type        = string

  validation {
    condition     = can(regex("^[^:\\\\]{1,100}$", var.name))
    error_message = "The budget name \"${var.name}\" is not usable; use 1 to 100 characters without a colon or backslash."
  }
}

variable "monthly_limit_usd" {
  description = "The month's budget in US dollars (more than 0); every alert percentage is a share of it."
  type        = number

  validation {
    condition     = var.monthly_limit_usd > 0
    error_message = "monthly_limit_usd is ${var.monthly_limit_usd}; use a positive number of dollars, for example 200."
  }
}

variable "alert_percents" {
  description = "Shares of the monthly limit, in per cent (1 to 200), at which actual spend sends an email; for example [50, 80, 100]. AWS Budgets allows at most 5 alerts per budget."
  type        = list(number)

  validation {
    condition     = length(var.alert_percents) >= 1 && length(var.alert_percents) <= 5 && alltrue([for p in var.alert_percents : p > 0 && p <= 200])
    error_message = "alert_percents is ${jsonencode(var.alert_percents)}; give 1 to 5 per cents from 1 to 200, for example [50, 80, 100]."
  }
}

variable "alert_emails" {
  description = "Email addresses that receive every alert (1 to 10); the on-call address at least."
  type        = list(string)

  validation {
    condition     = length(var.alert_emails) >= 1 && length(var.alert_emails) <= 10 && alltrue([for e in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alert_emails is ${jsonencode(var.alert_emails)}; give 1 to 10 email addresses, for example [\"oncall@example.com\"]."
  }
}

variable "cost_allocation_tag" {
  description = "Count only resources with this cost allocation tag, for example { key = \"Project\", value = \"my-service\" }; null counts the whole account. The tag must be activated as a cost allocation tag in the Billing console, or the budget sees nothing."
  type = object({
    key   = string
    value = string
  })
  default = null
}

variable "tags" {
  description = "Tags added to the budget, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}
