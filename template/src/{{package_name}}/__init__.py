"""The Lambda functions of this service: API entry point and retry worker."""
