"""A real DynamoDB Local for the seed tests: started once per session on a free
loopback port, stopped at the end. Each test gets its own namespace (DynamoDB Local
keeps one database per access key), so tests never see each other's tables."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from seed import local

_counter = itertools.count()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="session")
def ddb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if shutil.which("java") is None:
        pytest.fail(local.JAVA_HINT)
    port = local.free_port()
    workdir = tmp_path_factory.mktemp("ddb")
    # a short-lived server for small loads: C1 answers sooner than C1 + C2
    process = local.start(
        port, log_path=workdir / "dynamodb-local.log", workdir=workdir, java_options=local.QUICK_START
    )
    try:
        yield Server(process, port)
    finally:
        local.stop(process)


@pytest.fixture(scope="session")
def ddb_endpoint(ddb_server: Server) -> str:
    return ddb_server.endpoint


@pytest.fixture(scope="session")
def dev_tables(synth: Any) -> dict[str, dict[str, Any]]:
    """CreateTable requests of the dev stage, read from the session's synthesized cdk.out."""
    return {d["TableName"]: d for d in local.table_definitions(Path(synth.outdir), "dev")}


@dataclass
class Namespace:
    endpoint: str
    key: str
    client: Any
    definitions: dict[str, dict[str, Any]]

    def create(self, *names: str) -> None:
        local.create_tables(self.client, [self.definitions[n] for n in names])

    def scan(self, name: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in self.client.get_paginator("scan").paginate(TableName=name):
            items.extend(page["Items"])
        return items

    def count(self, name: str) -> int:
        return len(self.scan(name))

    def snapshot(self) -> dict[str, dict[str, str]]:
        """Every table of the namespace, every item: table -> key -> the item as JSON.
        Compared before and after a load to see exactly what it wrote."""
        out = {}
        for name in self.client.list_tables()["TableNames"]:
            keys = [k["AttributeName"] for k in self.client.describe_table(TableName=name)["Table"]["KeySchema"]]
            out[name] = {
                json.dumps([item[k] for k in keys], sort_keys=True, default=str): json.dumps(
                    item, sort_keys=True, default=str
                )
                for item in self.scan(name)
            }
        return out


def _namespace(endpoint: str, definitions: dict[str, dict[str, Any]], mp: pytest.MonkeyPatch) -> Namespace:
    key = f"test{os.getpid()}n{next(_counter)}"
    mp.setenv("SEED_LOCAL_NAMESPACE", key)
    mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
    mp.setenv("AWS_REGION", "us-east-1")
    client = local.local_client(endpoint, key, region="us-east-1")
    return Namespace(endpoint=endpoint, key=key, client=client, definitions=definitions)


@pytest.fixture
def ns(ddb_endpoint: str, dev_tables: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> Namespace:
    """A fresh, empty DynamoDB Local database; the CLI is pointed at it too."""
    return _namespace(ddb_endpoint, dev_tables, monkeypatch)


@pytest.fixture(scope="module")
def module_ns(ddb_endpoint: str, dev_tables: dict[str, dict[str, Any]]) -> Iterator[Namespace]:
    """One database for a whole module: for tests that must leave every table empty."""
    with pytest.MonkeyPatch.context() as mp:
        yield _namespace(ddb_endpoint, dev_tables, mp)
