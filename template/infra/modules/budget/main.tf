# An AWS Budgets cost budget for one month, with an email to on-call at each
# alert threshold. It watches the AWS bill of the account (optionally only
# the resources carrying one cost allocation tag); the model spend of the
# Anthropic API is guarded by the service's own cost guard instead.

resource "aws_budgets_budget" "this" {
  name         = var.name
  budget_type  = "COST"
  limit_amount = format("%.2f", var.monthly_limit_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  dynamic "cost_filter" {
    for_each = var.cost_allocation_tag == null ? [] : [var.cost_allocation_tag]

    content {
      name   = "TagKeyValue"
      values = ["user:${cost_filter.value.key}$${cost_filter.value.value}"]
    }
  }

  dynamic "notification" {
    for_each = toset(var.alert_percents)

    content {
      comparison_operator        = "GREATER_THAN"
      threshold                  = notification.value
      threshold_type             = "PERCENTAGE"
      notification_type          = "ACTUAL"
      subscriber_email_addresses = var.alert_emails
    }
  }

  tags = var.tags
}
