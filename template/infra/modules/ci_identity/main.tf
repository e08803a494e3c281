# The identity GitHub Actions deploys with: GitHub's OIDC provider (created
# here, or an existing one of the account reused) and a role that only a
# workflow job of one repository, running in one GitHub environment, can
# assume. No long-lived AWS keys exist anywhere.

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  issuer       = "token.actions.githubusercontent.com"
  provider_arn = coalesce(var.existing_oidc_provider_arn, try(aws_iam_openid_connect_provider.github[0].arn, null))
  subject      = "repo:${var.github_repository}:environment:${var.github_environment}"
  partition    = data.aws_partition.current.partition
  region       = data.aws_region.current.name
  account      = data.aws_caller_identity.current.account_id
  state_bucket = coalesce(var.state_bucket_name, "${var.project}-tfstate-${local.account}")

  boundary_arn = "arn:${local.partition}:iam::${local.account}:policy/${var.managed_name_prefix}-service-boundary"

  # "arn:<partition>:<service>:<region>:<account>" for the services above.
  regional = {
    for service in ["cloudwatch", "dynamodb", "events", "kms", "lambda", "logs", "secretsmanager", "sqs", "ssm"] :
    service => "arn:${local.partition}:${service}:${local.region}:${local.account}"
  }

  # Roles and policies the service's Terraform creates share this prefix,
  # so the deploy role can manage them and nothing else in IAM.
  iam_resources = [
    "arn:${local.partition}:iam::${local.account}:role/${var.managed_name_prefix}-*",
    "arn:${local.partition}:iam::${local.account}:policy/${var.managed_name_prefix}-*",
  ]
}

# One per account: set existing_oidc_provider_arn where another stack owns it.
resource "aws_iam_openid_connect_provider" "github" {
  count = var.existing_oidc_provider_arn == null ? 1 : 0

  url            = "https://${local.issuer}"
  client_id_list = ["sts.amazonaws.com"]
  tags           = var.tags
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "GitHubEnvironmentOnly"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }

    # The subject names repository and environment exactly: no wildcard, so
    # a branch, a pull request or another environment gets nothing.
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = [local.subject]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.role_name
  description          = "Assumed by GitHub Actions jobs of ${var.github_repository} in environment ${var.github_environment} to run terraform apply."
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session_seconds
  tags                 = var.tags
}

# What `terraform apply` and scripts/canary.py need for this stack, action by
# action. Each statement names its resources by the environment's prefix;
# the few actions AWS cannot scope to a resource (creating a KMS key or an
# event source mapping, listing aliases, parameters and metric statistics)
# are "*" with a condition where AWS offers one. The list follows the calls
# the AWS provider makes for the resource types in modules/; a resource type
# added to the stack needs its actions here, and an apply that lacks one
# fails with AccessDenied naming it.
data "aws_iam_policy_document" "deploy_compute" {
  statement {
    sid = "Functions"
    actions = [
      "lambda:AddPermission",
      "lambda:CreateAlias",
      "lambda:CreateFunction",
      "lambda:DeleteAlias",
      "lambda:DeleteFunction",
      "lambda:DeleteFunctionConcurrency",
      "lambda:GetAlias",
      "lambda:GetFunction",
      "lambda:GetFunctionCodeSigningConfig",
      "lambda:GetFunctionConcurrency",
      "lambda:GetFunctionConfiguration",
      "lambda:GetPolicy",
      "lambda:GetRuntimeManagementConfig",
      "lambda:ListAliases",
      "lambda:ListTags",
      "lambda:ListVersionsByFunction",
      "lambda:PublishVersion",
      "lambda:PutFunctionConcurrency",
      "lambda:RemovePermission",
      "lambda:TagResource",
      "lambda:UntagResource",
      "lambda:UpdateAlias",
      "lambda:UpdateFunctionCode",
      "lambda:UpdateFunctionConfiguration",
    ]
    resources = [
      "${local.regional.lambda}:function:${var.managed_name_prefix}-*",
    ]
  }

  statement {
    sid = "QueueTriggerOfOwnFunctions"
    actions = [
      "lambda:CreateEventSourceMapping",
      "lambda:DeleteEventSourceMapping",
      "lambda:GetEventSourceMapping",
      "lambda:UpdateEventSourceMapping",
    ]
    # A mapping's ARN holds a random id, so the function it serves is the
    # scope: AWS checks lambda:FunctionArn on each of these calls.
    resources = ["*"]

    condition {
      test     = "ArnLike"
      variable = "lambda:FunctionArn"
      values   = ["${local.regional.lambda}:function:${var.managed_name_prefix}-*"]
    }
  }

  statement {
    sid = "QueueTriggerTags"
    # The provider tags event source mappings (default tags); their ARNs hold
    # a random id, so the account's mappings in this region are the scope.
    actions   = ["lambda:ListTags", "lambda:TagResource", "lambda:UntagResource"]
    resources = ["${local.regional.lambda}:event-source-mapping:*"]
  }

  statement {
    sid     = "RestApi"
    actions = ["apigateway:DELETE", "apigateway:GET", "apigateway:PATCH", "apigateway:POST", "apigateway:PUT"]
    # API, usage plan and key ids are random; these are API Gateway's own
    # collections in this region, not other services.
    resources = [
      for path in ["/account", "/apikeys", "/apikeys/*", "/restapis", "/restapis/*", "/tags/*", "/usageplans", "/usageplans/*"] :
      "arn:${local.partition}:apigateway:${local.region}::${path}"
    ]
  }

  statement {
    sid = "LogGroups"
    actions = [
      "logs:AssociateKmsKey",
      "logs:CreateLogGroup",
      "logs:DeleteLogGroup",
      "logs:DeleteRetentionPolicy",
      "logs:DisassociateKmsKey",
      "logs:ListTagsForResource",
      "logs:ListTagsLogGroup",
      "logs:PutRetentionPolicy",
      "logs:TagLogGroup",
      "logs:TagResource",
      "logs:UntagLogGroup",
      "logs:UntagResource",
    ]
    resources = [
      "${local.regional.logs}:log-group:/aws/lambda/${var.managed_name_prefix}-*",
      "${local.regional.logs}:log-group:/aws/apigateway/${var.managed_name_prefix}/*",
    ]
  }

  statement {
    sid       = "FindLogGroups"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["${local.regional.logs}:log-group:*"]
  }

  statement {
    sid = "AlarmsOfTheService"
    actions = [
      "cloudwatch:DeleteAlarms",
      "cloudwatch:DescribeAlarms",
      "cloudwatch:ListTagsForResource",
      "cloudwatch:PutMetricAlarm",
      "cloudwatch:TagResource",
      "cloudwatch:UntagResource",
    ]
    resources = ["${local.regional.cloudwatch}:alarm:${var.managed_name_prefix}-*"]
  }

  statement {
    sid = "SchedulesOfTheService"
    actions = [
      "events:DeleteRule",
      "events:DescribeRule",
      "events:DisableRule",
      "events:EnableRule",
      "events:ListTagsForResource",
      "events:ListTargetsByRule",
      "events:PutRule",
      "events:PutTargets",
      "events:RemoveTargets",
      "events:TagResource",
      "events:UntagResource",
    ]
    resources = ["${local.regional.events}:rule/${var.managed_name_prefix}-*"]
  }

  statement {
    sid = "CanaryReadsMetrics"
    # CloudWatch has no resource-level permission for reading metrics.
    actions   = ["cloudwatch:GetMetricStatistics"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "deploy_data" {
  statement {
    sid = "Tables"
    actions = [
      "dynamodb:CreateTable",
      "dynamodb:DeleteTable",
      "dynamodb:DescribeContinuousBackups",
      "dynamodb:DescribeTable",
      "dynamodb:DescribeTimeToLive",
      "dynamodb:GetResourcePolicy",
      "dynamodb:ListTagsOfResource",
      "dynamodb:TagResource",
      "dynamodb:UntagResource",
      "dynamodb:UpdateContinuousBackups",
      "dynamodb:UpdateTable",
      "dynamodb:UpdateTimeToLive",
    ]
    resources = ["${local.regional.dynamodb}:table/${var.managed_name_prefix}-*"]
  }

  statement {
    sid = "Queues"
    actions = [
      "sqs:CreateQueue",
      "sqs:DeleteQueue",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:ListQueueTags",
      "sqs:SetQueueAttributes",
      "sqs:TagQueue",
      "sqs:UntagQueue",
    ]
    resources = ["${local.regional.sqs}:${var.managed_name_prefix}-*"]
  }

  statement {
    sid = "Buckets"
    actions = [
      "s3:CreateBucket",
      "s3:DeleteBucket",
      "s3:DeleteBucketPolicy",
      "s3:GetAccelerateConfiguration",
      "s3:GetBucketAcl",
      "s3:GetBucketCORS",
      "s3:GetBucketLogging",
      "s3:GetBucketNotification",
      "s3:GetBucketObjectLockConfiguration",
      "s3:GetBucketOwnershipControls",
      "s3:GetBucketPolicy",
      "s3:GetBucketPublicAccessBlock",
      "s3:GetBucketRequestPayment",
      "s3:GetBucketTagging",
      "s3:GetBucketVersioning",
      "s3:GetBucketWebsite",
      "s3:GetEncryptionConfiguration",
      "s3:GetLifecycleConfiguration",
      "s3:GetReplicationConfiguration",
      "s3:ListBucket",
      "s3:ListBucketVersions",
      "s3:PutBucketLogging",
      "s3:PutBucketNotification",
      "s3:PutBucketOwnershipControls",
      "s3:PutBucketPolicy",
      "s3:PutBucketPublicAccessBlock",
      "s3:PutBucketTagging",
      "s3:PutBucketVersioning",
      "s3:PutEncryptionConfiguration",
      "s3:PutLifecycleConfiguration",
    ]
    resources = ["arn:${local.partition}:s3:::${var.managed_name_prefix}-*"]
  }

  statement {
    sid = "StateFileOfThisEnvironment"
    actions = [
      "s3:DeleteObject",
      "s3:GetObject",
      "s3:PutObject",
    ]
    # The state and its lock file (use_lockfile) under the key the root's
    # backend uses: <project>/<environment>/terraform.tfstate.
    resources = ["arn:${local.partition}:s3:::${local.state_bucket}/${var.project}/${var.environment}/*"]
  }

  statement {
    sid       = "StateBucket"
    actions   = ["s3:ListBucket"]
    resources = ["arn:${local.partition}:s3:::${local.state_bucket}"]
  }

  # The tag conditions below are written out each time, not as one dynamic
  # block: checkov reads only literal conditions, and would report these
  # statements as unconditioned.
  statement {
    sid = "CreateTaggedKeys"
    # CreateKey has no resource; the request's tags scope it to this
    # environment, and only keys so tagged can be used or managed below.
    actions   = ["kms:CreateKey"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Project"
      values   = [var.project]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [var.environment]
    }
  }

  statement {
    sid = "TagKeysBeingCreated"
    # CreateKey with tags also needs kms:TagResource, granted in an IAM
    # policy on every key, since the new key has no ARN yet. The key has no
    # tags at that point, so the Null conditions hold; on an existing key
    # of another environment, or the bootstrap's state key, a Project or
    # Environment tag is present and they fail. Without them the role could
    # tag such a key as its own and then manage it through the statement
    # below, which already lets it retag its own keys.
    actions   = ["kms:TagResource"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Project"
      values   = [var.project]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [var.environment]
    }

    condition {
      test     = "Null"
      variable = "aws:ResourceTag/Project"
      values   = ["true"]
    }

    condition {
      test     = "Null"
      variable = "aws:ResourceTag/Environment"
      values   = ["true"]
    }
  }

  statement {
    sid = "KeysOfThisEnvironment"
    actions = [
      # An alias is created, moved and deleted with permission on its key too.
      "kms:CreateAlias",
      "kms:CreateGrant",
      "kms:DeleteAlias",
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:EnableKeyRotation",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GetKeyPolicy",
      "kms:GetKeyRotationStatus",
      "kms:ListResourceTags",
      "kms:PutKeyPolicy",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:UpdateAlias",
    ]
    resources = ["${local.regional.kms}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Project"
      values   = [var.project]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [var.environment]
    }
  }

  statement {
    sid     = "KeyAliases"
    actions = ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"]
    resources = [
      "${local.regional.kms}:alias/${var.managed_name_prefix}-*",
    ]
  }

  statement {
    sid = "StateKeyThroughS3"
    # The bootstrap's state key is used only for the state bucket: the
    # encryption context S3 sends names the bucket or an object in it.
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["${local.regional.kms}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:s3:arn"
      values = [
        "arn:${local.partition}:s3:::${local.state_bucket}",
        "arn:${local.partition}:s3:::${local.state_bucket}/*",
      ]
    }
  }

  statement {
    sid       = "ListKeyAliases"
    actions   = ["kms:ListAliases"]
    resources = ["*"]
  }

  statement {
    sid = "ModelKeySecretWithoutItsValue"
    # Never GetSecretValue: the key is put by hand and read by the function.
    actions = [
      "secretsmanager:CreateSecret",
      "secretsmanager:DeleteSecret",
      "secretsmanager:DescribeSecret",
      "secretsmanager:GetResourcePolicy",
      "secretsmanager:TagResource",
      "secretsmanager:UntagResource",
      "secretsmanager:UpdateSecret",
    ]
    resources = ["${local.regional.secretsmanager}:secret:${var.project}/${var.environment}/*"]
  }

  statement {
    sid = "KillSwitchParameter"
    actions = [
      "ssm:AddTagsToResource",
      "ssm:DeleteParameter",
      "ssm:GetParameter",
      "ssm:GetParameters",
      "ssm:ListTagsForResource",
      "ssm:PutParameter",
      "ssm:RemoveTagsFromResource",
    ]
    resources = ["${local.regional.ssm}:parameter/${var.project}/${var.environment}/*"]
  }

  statement {
    sid       = "FindParameters"
    actions   = ["ssm:DescribeParameters"]
    resources = ["*"]
  }

  statement {
    sid = "MonthlyBudget"
    actions = [
      "budgets:ListTagsForResource",
      "budgets:ModifyBudget",
      "budgets:TagResource",
      "budgets:UntagResource",
      "budgets:ViewBudget",
    ]
    resources = ["arn:${local.partition}:budgets::${local.account}:budget/${var.managed_name_prefix}-*"]
  }
}

resource "aws_iam_role_policy" "deploy" {
  for_each = {
    deploy-compute = data.aws_iam_policy_document.deploy_compute.json
    deploy-data    = data.aws_iam_policy_document.deploy_data.json
  }

  name   = each.key
  role   = aws_iam_role.this.id
  policy = each.value
}

data "aws_iam_policy_document" "iam" {
  # Roles are created, and given inline policies, only with the service
  # boundary attached: whatever a role's own policies say, it can do no more
  # than the boundary allows, so no role made here can outrank the stack.
  statement {
    sid       = "CreateBoundedRoles"
    actions   = ["iam:CreateRole", "iam:PutRolePolicy"]
    resources = local.iam_resources

    condition {
      test     = "ArnEquals"
      variable = "iam:PermissionsBoundary"
      values   = [local.boundary_arn]
    }
  }

  statement {
    sid = "ManageServiceRoles"
    actions = [
      "iam:DeleteRole",
      "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy",
      "iam:GetRole",
      "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole",
      "iam:ListRolePolicies",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
    ]
    resources = local.iam_resources
  }

  # Only the AWS managed policies the modules attach: attaching any other
  # (AdministratorAccess, say) to a role it creates would let the deploy
  # role hand itself more than this document grants.
  statement {
    sid       = "AttachKnownManagedPolicies"
    actions   = ["iam:AttachRolePolicy"]
    resources = local.iam_resources

    condition {
      test     = "ArnEquals"
      variable = "iam:PermissionsBoundary"
      values   = [local.boundary_arn]
    }

    condition {
      test     = "ArnEquals"
      variable = "iam:PolicyARN"
      values = [
        "arn:${local.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess",
        "arn:${local.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
      ]
    }
  }

  statement {
    sid       = "PassServiceRolesToLambdaAndApiGateway"
    actions   = ["iam:PassRole"]
    resources = local.iam_resources

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["apigateway.amazonaws.com", "lambda.amazonaws.com"]
    }
  }

  # The deploy role matches the prefix too; without this it could rewrite
  # its own permissions. Changes to it are applied by an administrator.
  statement {
    sid    = "NotItself"
    effect = "Deny"
    actions = [
      "iam:AttachRolePolicy",
      "iam:DeleteRole",
      "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy",
      "iam:PutRolePolicy",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
    ]
    resources = [aws_iam_role.this.arn]
  }

  statement {
    sid = "ReadOwnIdentity"
    actions = [
      "iam:GetOpenIDConnectProvider",
      "iam:GetPolicy",
      "iam:GetPolicyVersion",
      "iam:ListPolicyTags",
      "iam:ListPolicyVersions",
    ]
    resources = concat(
      [local.provider_arn, aws_iam_role.this.arn, local.boundary_arn],
      ["arn:${local.partition}:iam::aws:policy/*"],
    )
  }
}

resource "aws_iam_role_policy" "iam" {
  name   = "manage-service-roles"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.iam.json
}

# The most any role of the service may do: the sum of what the functions
# and API Gateway's logging role need, each on this environment's
# resources. The deploy role must attach it to every role it creates and
# cannot edit it (no iam:CreatePolicyVersion), so only an administrator's
# apply changes it.
data "aws_iam_policy_document" "service_boundary" {
  statement {
    sid = "Logs"
    actions = [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:DescribeLogGroups",
      "logs:DescribeLogStreams",
      "logs:FilterLogEvents",
      "logs:GetLogEvents",
      "logs:PutLogEvents",
    ]
    # API Gateway's account-wide logging role writes to groups it names.
    resources = ["${local.regional.logs}:log-group:*"]
  }

  statement {
    sid = "Tables"
    actions = [
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ]
    resources = ["${local.regional.dynamodb}:table/${var.managed_name_prefix}-*"]
  }

  statement {
    sid = "Queues"
    actions = [
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
      "sqs:SendMessage",
    ]
    resources = ["${local.regional.sqs}:${var.managed_name_prefix}-*"]
  }

  statement {
    sid       = "QuarantinedReplies"
    actions   = ["s3:PutObject"]
    resources = ["arn:${local.partition}:s3:::${var.managed_name_prefix}-*/*"]
  }

  statement {
    sid       = "KillSwitch"
    actions   = ["ssm:GetParameter"]
    resources = ["${local.regional.ssm}:parameter/${var.project}/${var.environment}/*"]
  }

  statement {
    sid       = "ModelApiKey"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["${local.regional.secretsmanager}:secret:${var.project}/${var.environment}/*"]
  }

  statement {
    sid       = "ServiceKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["${local.regional.kms}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Project"
      values   = [var.project]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [var.environment]
    }
  }

  statement {
    sid     = "ClaudeOnBedrock"
    actions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    # Cross-region inference profiles route to models in other regions.
    resources = [
      "arn:${local.partition}:bedrock:*::foundation-model/anthropic.*",
      "arn:${local.partition}:bedrock:*:${local.account}:inference-profile/*",
    ]
  }

  statement {
    sid = "Tracing"
    # X-Ray has no resource-level permissions.
    actions = [
      "xray:GetSamplingRules",
      "xray:GetSamplingStatisticSummaries",
      "xray:GetSamplingTargets",
      "xray:PutTelemetryRecords",
      "xray:PutTraceSegments",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "service_boundary" {
  name        = "${var.managed_name_prefix}-service-boundary"
  description = "Caps every role the ${var.managed_name_prefix} service creates; attached by the deploy role, changed only by an administrator."
  policy      = data.aws_iam_policy_document.service_boundary.json
  tags        = var.tags
}
