"""DynamoDB clients for adopt: the normal credential chain, or a loopback endpoint with
dummy credentials (DynamoDB Local), so a local run never touches AWS."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from seed import cli as seed_cli
from seed import local


def plan_client(endpoint_url: str | None) -> Any:
    """For the plan's Describe/List calls: botocore's standard retries are fine here."""
    config = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=30)
    if endpoint_url:
        # DynamoDB Local keeps one database per access key: the seed tools' namespace variable.
        return local.local_client(endpoint_url, seed_cli.local_access_key(), config=config)
    return boto3.session.Session(region_name=local.default_region()).client("dynamodb", config=config)


def migrate_client(endpoint_url: str | None, *, workers: int) -> Any:
    """The seed loader's client: its own backoff, so botocore retries are off."""
    return seed_cli.make_client(endpoint_url, workers=workers)
