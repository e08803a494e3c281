# Inputs of this root that a person's apply and CI's deploy must share.
# Terraform reads this file in both, while a -var reaches only the apply it
# is typed into: set these values here and commit them, or the next deploy
# from CI undoes them. `copier update` keeps this file as you edited it.

# true in exactly one environment per account and region, and only if
# nothing else (another stack, the console) has set API Gateway's
# CloudWatch role; see infra/README.md.
manage_api_gateway_account_role = false

# When another environment in this account was applied first: its
# github_oidc_provider_arn output. null creates GitHub's OIDC provider here.
existing_github_oidc_provider_arn = null

# The bucket given to `terraform init` when it is not the bootstrap's
# default name; null for the default.
state_bucket_name = null

# The AWS account of this environment. Set, it stops any apply (`make
# deploy` from a laptop included) that holds another account's credentials.
# This file outranks CI's TF_VAR_allowed_account_ids, so keep the two equal.
# allowed_account_ids = ["<account id>"]
