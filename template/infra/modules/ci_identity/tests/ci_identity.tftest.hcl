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
