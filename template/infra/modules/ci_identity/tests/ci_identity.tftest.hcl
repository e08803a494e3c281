# Plan-level facts of the deploy identity, with a mocked provider: no AWS
# call. The trust policy is read from the real policy document data source,
# since it is what decides who can deploy.

mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }

  mock_data "aws_region" {
    defaults = {
      name = "eu-west-1"
    }
  }

  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  github_repository   = "northwind/invoice-extraction"
  github_environment  = "prod"
  role_name           = "svc-prod-deploy"
  managed_name_prefix = "svc-prod"
  project             = "svc"
  environment         = "prod"
}

run "only_the_repositorys_environment_can_assume_the_role" {
  command = plan

  variables {
    existing_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
  }

  assert {
    condition = one([for s in data.aws_iam_policy_document.trust.statement :
      one([for c in s.condition : c.values if c.variable == "token.actions.githubusercontent.com:sub" && c.test == "StringEquals"])
    ]) == tolist(["repo:northwind/invoice-extraction:environment:prod"])
    error_message = "The trust policy should allow exactly repo:northwind/invoice-extraction:environment:prod as subject."
  }

  assert {
    condition = one([for s in data.aws_iam_policy_document.trust.statement :
      one([for c in s.condition : c.values if c.variable == "token.actions.githubusercontent.com:aud" && c.test == "StringEquals"])
    ]) == tolist(["sts.amazonaws.com"])
    error_message = "The trust policy should require the audience sts.amazonaws.com."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.trust.statement).actions == toset(["sts:AssumeRoleWithWebIdentity"])
    error_message = "The role should be assumable with a web identity token only."
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0 && output.oidc_provider_arn == var.existing_oidc_provider_arn
    error_message = "An existing provider ARN should be reused, not a second provider created."
  }
}

run "creates_githubs_oidc_provider_when_none_is_given" {
  command = plan

  assert {
    condition     = aws_iam_openid_connect_provider.github[0].url == "https://token.actions.githubusercontent.com" && aws_iam_openid_connect_provider.github[0].client_id_list == toset(["sts.amazonaws.com"])
    error_message = "The module should create GitHub's OIDC provider with audience sts.amazonaws.com."
  }
}

run "a_wildcard_repository_is_refused" {
  command = plan

  variables {
    github_repository = "northwind/*"
  }

  expect_failures = [var.github_repository]
}

run "deploy_permissions_name_every_action_and_scope_every_resource" {
  command = plan

  variables {
    existing_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
  }

  # The role's own ARN appears in its policy; known only after apply.
  override_resource {
    target          = aws_iam_role.this
    override_during = plan
    values = {
      arn = "arn:aws:iam::123456789012:role/svc-prod-deploy"
    }
  }

  assert {
    condition = alltrue(flatten([
      for document in [data.aws_iam_policy_document.deploy_compute, data.aws_iam_policy_document.deploy_data, data.aws_iam_policy_document.iam] : [
        for statement in document.statement : [for action in statement.actions : !strcontains(action, "*")]
      ]
    ]))
    error_message = "Every action of the deploy role should be named; no \"*\" and no service:Prefix* patterns."
  }

  assert {
    condition = toset(flatten([
      for document in [data.aws_iam_policy_document.deploy_compute, data.aws_iam_policy_document.deploy_data, data.aws_iam_policy_document.iam] : [
        for statement in document.statement : statement.sid if contains(statement.resources, "*")
      ]
    ])) == toset(["QueueTriggerOfOwnFunctions", "CanaryReadsMetrics", "CreateTaggedKeys", "TagKeysBeingCreated", "ListKeyAliases", "FindParameters"])
    error_message = "Only actions AWS cannot scope to a resource should have \"*\" as resource."
  }

  assert {
    condition = alltrue([
      for statement in data.aws_iam_policy_document.deploy_data.statement :
      length(statement.condition) == 2 if statement.sid == "CreateTaggedKeys" || statement.sid == "KeysOfThisEnvironment"
    ])
    error_message = "KMS keys should be created and used only with this project's and environment's tags."
  }

  # Tagging any key ("*") must be limited to keys that carry neither tag
  # yet, the ones being created; otherwise the role could claim a key of
  # another environment, or the state key, by tagging it as its own.
  assert {
    condition = [
      for statement in data.aws_iam_policy_document.deploy_data.statement : toset([
        for c in statement.condition : c.variable if c.test == "Null" && c.values == tolist(["true"])
      ]) if contains(statement.actions, "kms:TagResource") && contains(statement.resources, "*")
    ] == [toset(["aws:ResourceTag/Project", "aws:ResourceTag/Environment"])]
    error_message = "kms:TagResource on \"*\" should require that the key has no Project and no Environment tag yet (Null conditions)."
  }

  assert {
    condition = one([
      for statement in data.aws_iam_policy_document.deploy_data.statement : statement.resources if statement.sid == "StateFileOfThisEnvironment"
    ]) == toset(["arn:aws:s3:::svc-tfstate-123456789012/svc/prod/*"])
    error_message = "The role should reach only this environment's state in the bootstrap's default bucket."
  }

  assert {
    condition = one([
      for statement in data.aws_iam_policy_document.iam.statement : statement.effect if statement.sid == "NotItself"
    ]) == "Deny"
    error_message = "The deploy role should be denied changes to its own role and policies."
  }

  assert {
    condition = one([
      for statement in data.aws_iam_policy_document.iam.statement : toset([for c in statement.condition : c.variable]) if statement.sid == "AttachKnownManagedPolicies"
    ]) == toset(["iam:PolicyARN", "iam:PermissionsBoundary"])
    error_message = "Managed policies should be attachable only from the known list, and only to roles with the service boundary."
  }

  assert {
    condition     = length(aws_iam_role_policy.deploy) == 2
    error_message = "The compute and data permissions should be on the role."
  }

  assert {
    condition = one([
      for statement in data.aws_iam_policy_document.iam.statement : statement.actions if statement.sid == "CreateBoundedRoles"
      ]) == toset(["iam:CreateRole", "iam:PutRolePolicy"]) && one(flatten([
        for statement in data.aws_iam_policy_document.iam.statement : [for c in statement.condition : c.values if c.variable == "iam:PermissionsBoundary"] if statement.sid == "CreateBoundedRoles"
    ])) == "arn:aws:iam::123456789012:policy/svc-prod-service-boundary"
    error_message = "Roles should be created and given inline policies only with the service boundary."
  }

  assert {
    condition = !anytrue(flatten([
      for statement in data.aws_iam_policy_document.iam.statement : [
        for action in statement.actions : contains(["iam:CreateRole", "iam:PutRolePolicy", "iam:CreatePolicyVersion", "iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary"], action)
      ] if statement.sid != "CreateBoundedRoles" && statement.sid != "NotItself"
    ]))
    error_message = "No other statement should let the role create roles, write inline policies or change a boundary."
  }
}
