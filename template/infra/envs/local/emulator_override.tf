# Every compromise this root makes for the emulator, merged into main.tf by
# Terraform's override-file rule. The modules stay as they run in AWS; what
# changes here is not tested by the emulator and is listed in the README.

module "service" {
  #checkov:skip=CKV_TF_1:An override file merges into the module block of main.tf, whose source is a local path.
  #checkov:skip=CKV_TF_2:An override file merges into the module block of main.tf, whose source is a local path.
  # With an enabled SQS trigger, moto hands every message sent to the retry
  # queue to the worker at once and runs it in a Docker container: without
  # Docker it logs an error per message, with Docker it would pull a Lambda
  # image and race the test for the message. The integration test gives the
  # worker the queue's messages itself. The same switch leaves the sweep's
  # schedule disabled; the test runs the sweep itself too.
  worker_trigger_enabled = false

  # The emulator is served over plain HTTP, so under a TLS-only bucket
  # policy moto answers 403 to every object call.
  quarantine_tls_only = false

  # moto accepts Lambda's logging configuration but does not keep it, so
  # every plan would try to set JSON platform logs again.
  json_platform_logs = false

  # moto accepts the SnapStart setting but does not keep it, so every plan
  # would try to add it again. Restores after a snapshot happen only in AWS.
  snapstart = false

  # moto has no SQS redrive-allow policy API; the redrive itself works.
  dead_letter_redrive_allow_enabled = false
}
