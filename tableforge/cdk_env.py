"""The environment our CDK and jsii processes run with: quiet and offline.

The Makefile exports the same variables for the shell; Python entry points that
start an app or the CDK CLI use these, so a change (a new Node version) is one edit.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

CDK_ENV: Mapping[str, str] = {
    # Node 20 is end-of-life for jsii; it reads the first for deprecated and the
    # second (a list of major versions) for end-of-life Node releases.
    "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    "CDK_DISABLE_CLI_TELEMETRY": "true",
    # No AWS here: don't let SDKs probe the instance metadata service.
    "AWS_EC2_METADATA_DISABLED": "true",
}


def cdk_env(**extra: str) -> dict[str, str]:
    """This process's environment plus CDK_ENV and ``extra``, for a child process."""
    return {**os.environ, **CDK_ENV, **extra}


def apply_cdk_env() -> None:
    """Set CDK_ENV in this process (before aws_cdk is imported), keeping values already set."""
    for key, value in CDK_ENV.items():
        os.environ.setdefault(key, value)
