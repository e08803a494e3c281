output "budget_name" {
  description = "Name of the budget; find it in the Billing console's Budgets page."
  value       = aws_budgets_budget.this.name
}

output "alert_thresholds_percent" {
  description = "The per cents of the monthly limit at which on-call is emailed, sorted."
  value       = sort([for n in aws_budgets_budget.this.notification : n.threshold])
}
