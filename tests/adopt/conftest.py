"""Fixtures for the adopt tests: DynamoDB Local (the seed tests' fixture, its own
instance), one namespace per world, and `python -m adopt` run in-process."""

from __future__ import annotations

import io
import itertools
import json
import os
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from adopt.__main__ import main
from seed import local
from tests.adopt import world
from tests.seed.conftest import ddb_endpoint, ddb_server  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
_counter = itertools.count()


@dataclass
class Space:
    """One DynamoDB Local database (an access key) and how to run adopt against it."""

    endpoint: str
    key: str
    client: Any
    outdir: Path

    def run(self, *args: str, expect: int | None = None) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        old = os.environ.get("SEED_LOCAL_NAMESPACE")
        os.environ["SEED_LOCAL_NAMESPACE"] = self.key
        try:
            with redirect_stdout(out), redirect_stderr(err):
                code = main([*args, "--endpoint-url", self.endpoint])
        finally:
            if old is None:
                os.environ.pop("SEED_LOCAL_NAMESPACE", None)
            else:
                os.environ["SEED_LOCAL_NAMESPACE"] = old
        if expect is not None:
            assert code == expect, (code, out.getvalue()[-3000:], err.getvalue()[-3000:])
        return code, out.getvalue(), err.getvalue()

    def plan(self, *extra: str, expect: int | None = None) -> dict[str, Any]:
        _code, out, _err = self.run(
            "plan",
            "--stage",
            "prod",
            "--format",
            "json",
            "--cdk-out",
            str(self.outdir),
            "--catalog",
            str(ROOT / "catalog"),
            *extra,
            expect=expect,
        )
        plan: dict[str, Any] = json.loads(out)
        return plan

    def create_catalog_tables(self, *names: str) -> None:
        """Prod tables exactly as the synthesized template declares them."""
        definitions = {d["TableName"]: d for d in local.table_definitions(self.outdir, "prod")}
        local.create_tables(self.client, [definitions[n] for n in names])


def new_space(endpoint: str, outdir: Path) -> Space:
    key = f"adopt{os.getpid()}n{next(_counter)}"
    client = local.local_client(endpoint, key, region="us-east-1")
    return Space(endpoint=endpoint, key=key, client=client, outdir=outdir)


@pytest.fixture(scope="module")
def as_found(ddb_endpoint: str, synth: Any) -> Iterator[Space]:  # noqa: F811
    """The world the seeds describe, built once per module."""
    space = new_space(ddb_endpoint, Path(synth.outdir))
    world.build(space.client)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_REGION", "us-east-1")
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        yield space


@pytest.fixture
def space(ddb_endpoint: str, synth: Any, monkeypatch: pytest.MonkeyPatch) -> Space:  # noqa: F811
    """An empty database for one test."""
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return new_space(ddb_endpoint, Path(synth.outdir))
