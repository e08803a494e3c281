# Everything the service keeps state in: the records table (where every
# request leaves evidence), the bucket for invalid replies, the idempotency
# and budget tables, the kill switch and the secret holding the model API
# key.

resource "aws_dynamodb_table" "this" {
  name                        = var.table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "request_id"
  deletion_protection_enabled = var.deletion_protection_enabled

  attribute {
    name = "request_id"
    type = "S"
  }

  ttl {
    attribute_name = var.ttl_attribute_name
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  # The AWS managed key (aws/dynamodb): encrypted at rest, and its use shows
  # in CloudTrail, without a key policy to maintain.
  server_side_encryption {
    enabled = true
  }

  tags = var.tags
}

# Powertools idempotency records: short-lived, expired by DynamoDB itself.
# Nothing in it outlives its TTL, so there is nothing to restore.
resource "aws_dynamodb_table" "idempotency" {
  name                        = var.idempotency_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "id"
  deletion_protection_enabled = var.deletion_protection_enabled

  attribute {
    name = "id"
    type = "S"
  }

  ttl {
    attribute_name = "expiration"
    enabled        = true
  }

  server_side_encryption {
    enabled = true
  }

  tags = var.tags
}

# Month-to-date model spend, one item per month ("YYYY-MM"), kept: it is
# the evidence behind every budget decision.
resource "aws_dynamodb_table" "budget" {
  name                        = var.budget_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "month"
  deletion_protection_enabled = var.deletion_protection_enabled

  attribute {
    name = "month"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  tags = var.tags
}

# "off" as created. Operators flip it with `aws ssm put-parameter
# --overwrite`; Terraform must not flip it back on the next apply.
resource "aws_ssm_parameter" "kill_switch" {
  name        = var.kill_switch_parameter_name
  description = "\"on\" stops every model call at once, as if the monthly budget were spent; \"off\" resumes."
  type        = "String"
  value       = "off"
  tags        = var.tags

  lifecycle {
    ignore_changes = [value]
  }
}

resource "aws_s3_bucket" "quarantine" {
  bucket        = var.quarantine_bucket_name
  force_destroy = var.quarantine_force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "quarantine" {
  bucket                  = aws_s3_bucket.quarantine.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "quarantine" {
  bucket = aws_s3_bucket.quarantine.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "quarantine" {
  bucket = aws_s3_bucket.quarantine.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "quarantine" {
  bucket = aws_s3_bucket.quarantine.id

  # Versioning must exist first, or the noncurrent rule has nothing to act on.
  depends_on = [aws_s3_bucket_versioning.quarantine]

  rule {
    id     = "expire-quarantined-replies"
    status = "Enabled"

    # The whole bucket: it holds nothing but quarantined replies.
    filter {
      prefix = ""
    }

    expiration {
      days = var.quarantine_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_retention_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "quarantine_tls_only" {
  statement {
    sid    = "DenyRequestsWithoutTLS"
    effect = "Deny"

    # Every S3 action: a plain-HTTP request is refused whatever it asks for.
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.quarantine.arn,
      "${aws_s3_bucket.quarantine.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "quarantine" {
  count = var.enforce_tls ? 1 : 0

  bucket = aws_s3_bucket.quarantine.id
  policy = data.aws_iam_policy_document.quarantine_tls_only.json

  # S3 rejects a bucket policy while the public access block is being set.
  depends_on = [aws_s3_bucket_public_access_block.quarantine]
}

resource "aws_secretsmanager_secret" "model_api_key" {
  count = var.model_api_key_secret_name == null ? 0 : 1

  name                    = var.model_api_key_secret_name
  description             = "Anthropic API key used by the service's functions. Set the value with: aws secretsmanager put-secret-value --secret-id <this secret> --secret-string <key>"
  recovery_window_in_days = var.secret_recovery_window_days
  tags                    = var.tags
}
