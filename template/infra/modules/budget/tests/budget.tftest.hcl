# Plan-level facts of the cost budget, with a mocked provider: no AWS call.

mock_provider "aws" {}

variables {
  name              = "svc-test-monthly"
  monthly_limit_usd = 250
  alert_percents    = [50, 80, 100]
  alert_emails      = ["oncall@example.com"]
}

run "monthly_cost_budget_alerts_at_each_threshold" {
  command = plan

  assert {
    condition     = aws_budgets_budget.this.budget_type == "COST" && aws_budgets_budget.this.time_unit == "MONTHLY"
    error_message = "The budget should track cost per month."
  }

  assert {
    condition     = tonumber(aws_budgets_budget.this.limit_amount) == 250 && aws_budgets_budget.this.limit_unit == "USD"
    error_message = "The budget should be 250 USD, got ${aws_budgets_budget.this.limit_amount} ${aws_budgets_budget.this.limit_unit}."
  }

  assert {
    condition     = toset([for n in aws_budgets_budget.this.notification : n.threshold]) == toset([50, 80, 100])
    error_message = "There should be one alert at each of 50, 80 and 100 %."
  }

  assert {
    condition = alltrue([for n in aws_budgets_budget.this.notification :
      n.threshold_type == "PERCENTAGE" && n.notification_type == "ACTUAL" && n.comparison_operator == "GREATER_THAN" && toset(n.subscriber_email_addresses) == toset(["oncall@example.com"])
    ])
    error_message = "Every alert should email on-call when actual spend passes a percentage."
  }
}

run "more_than_five_alerts_are_refused" {
  command = plan

  variables {
    alert_percents = [10, 20, 30, 40, 50, 60]
  }

  expect_failures = [var.alert_percents]
}
