# Everything the service keeps state in: the records table (where every
# request leaves evidence), the bucket for invalid replies, the idempotency
# and budget tables, the kill switch and the secret holding the model API
# key. One customer-managed KMS key encrypts all of it, and the queues and
# log groups of the service too (see kms_key_arn).

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_root = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
  log_groups   = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:*"
}

# A key policy's "*" resource means the key itself, never another one.
data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_109:A key policy applies to its own key only; the account root keeps administration so IAM policies decide who uses it.
  #checkov:skip=CKV_AWS_111:A key policy applies to its own key only; writes are granted to principals by IAM, not here.
  #checkov:skip=CKV_AWS_356:In a key policy "*" is the key itself; no other resource can be named.
  statement {
    sid       = "AccountAdministersThroughIam"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }
  }

  # CloudWatch Logs encrypts log groups itself; it may use the key only for
  # log groups of this account and region.
  statement {
    sid = "CloudWatchLogsEncryptsLogGroups"
    actions = [
      "kms:Decrypt*",
      "kms:Describe*",
      "kms:Encrypt*",
      "kms:GenerateDataKey*",
      "kms:ReEncrypt*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.current.name}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = [local.log_groups]
    }
  }
}

resource "aws_kms_key" "data" {
  description             = "Encrypts the records, queues, quarantined replies, logs and API key secret of ${var.table_name}."
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "data" {
  name          = "alias/${var.table_name}"
  target_key_id = aws_kms_key.data.key_id
}

resource "aws_dynamodb_table" "this" {
  name                        = var.table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "request_id"
  deletion_protection_enabled = var.deletion_protection_enabled

  attribute {
    name = "request_id"
    type = "S"
  }

  attribute {
    name = "api_attempt"
    type = "S"
  }

  attribute {
    name = "created_at"
    type = "S"
  }

  # Sparse: a record is in it only while the API's own attempt at it is
  # open (the service sets api_attempt then, and removes it when the attempt
  # records how it ended). The worker's scheduled sweep reads it to
  # end requests whose API invocation died; the name and keys are the
  # service's (records.py), so change them together.
  global_secondary_index {
    name            = "open_api_attempts"
    hash_key        = "api_attempt"
    range_key       = "created_at"
    projection_type = "KEYS_ONLY"
  }

  ttl {
    attribute_name = var.ttl_attribute_name
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.data.arn
  }

  tags = var.tags
}

# Powertools idempotency records: short-lived, expired by DynamoDB itself.
# Nothing in it outlives its TTL, so there is nothing to restore.
resource "aws_dynamodb_table" "idempotency" {
  #checkov:skip=CKV_AWS_28:Idempotency keys live for minutes and expire by TTL; a restore would only bring back expired keys.
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
    enabled     = true
    kms_key_arn = aws_kms_key.data.arn
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
    enabled     = true
    kms_key_arn = aws_kms_key.data.arn
  }

  tags = var.tags
}

# "off" as created. Operators flip it with `aws ssm put-parameter
# --overwrite`; Terraform must not flip it back on the next apply.
resource "aws_ssm_parameter" "kill_switch" {
  #checkov:skip=CKV2_AWS_34:The value is "on" or "off", not a secret; a SecureString would only add a KMS call to every read.
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
  #checkov:skip=CKV_AWS_144:Quarantined replies are evidence for days, not data to survive a region loss; replication would double where client data lives.
  #checkov:skip=CKV2_AWS_62:Nothing reacts to a new object: the pointer to each reply is on the dead-letter queue already.
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
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }

    # One data key per bucket instead of one KMS call per object.
    bucket_key_enabled = true
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

# Server access logs of the quarantine bucket: who read or wrote which
# reply. S3 delivers them only into a bucket encrypted with S3-managed keys.
resource "aws_s3_bucket" "access_logs" {
  #checkov:skip=CKV_AWS_18:This bucket is the access-log target; logging it would need a further bucket without end.
  #checkov:skip=CKV_AWS_144:Access logs are kept for audits in this region only; replication would double where they live.
  #checkov:skip=CKV_AWS_145:S3 server access logging delivers only to buckets with SSE-S3 (AES256), not SSE-KMS.
  #checkov:skip=CKV2_AWS_62:Nothing reacts to a new log object.
  bucket        = var.access_log_bucket_name
  force_destroy = var.quarantine_force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket                  = aws_s3_bucket.access_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  bucket     = aws_s3_bucket.access_logs.id
  depends_on = [aws_s3_bucket_versioning.access_logs]

  rule {
    id     = "expire-access-logs"
    status = "Enabled"

    filter {
      prefix = ""
    }

    expiration {
      days = var.access_log_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_retention_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "access_logs" {
  statement {
    sid       = "S3DeliversQuarantineAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.access_logs.arn}/quarantine/*"]

    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.quarantine.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }

  dynamic "statement" {
    for_each = var.enforce_tls ? [1] : []

    content {
      sid     = "DenyRequestsWithoutTLS"
      effect  = "Deny"
      actions = ["s3:*"]
      resources = [
        aws_s3_bucket.access_logs.arn,
        "${aws_s3_bucket.access_logs.arn}/*",
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
}

resource "aws_s3_bucket_policy" "access_logs" {
  bucket     = aws_s3_bucket.access_logs.id
  policy     = data.aws_iam_policy_document.access_logs.json
  depends_on = [aws_s3_bucket_public_access_block.access_logs]
}

resource "aws_s3_bucket_logging" "quarantine" {
  bucket        = aws_s3_bucket.quarantine.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "quarantine/"

  # S3 checks the target's policy when logging is turned on.
  depends_on = [aws_s3_bucket_policy.access_logs]
}

resource "aws_secretsmanager_secret" "model_api_key" {
  #checkov:skip=CKV2_AWS_57:The Anthropic API key is issued in the Anthropic console; no rotation function can create a new one.
  count = var.model_api_key_secret_name == null ? 0 : 1

  name                    = var.model_api_key_secret_name
  description             = "Anthropic API key used by the service's functions. Set the value with: aws secretsmanager put-secret-value --secret-id <this secret> --secret-string <key>"
  recovery_window_in_days = var.secret_recovery_window_days
  kms_key_id              = aws_kms_key.data.arn
  tags                    = var.tags
}
