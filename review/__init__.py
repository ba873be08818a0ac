"""A DynamoDB-aware review of two synthesized assemblies, for CI.

``python -m review diff --base DIR --head DIR`` classifies every change as
destructive (the table's data is lost), risky (it survives, but a safety net or
an operating limit changes) or safe, adds the IAM and cost deltas, and exits
non-zero when an unacknowledged destructive change reaches a protected stage.
"""
