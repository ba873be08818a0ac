"""`adopt migrate` against DynamoDB Local: exact copies, merges without overwrites,
resume after a kill, idempotent re-runs, and migrated items that are never seed data.

Expected contents are computed here from the source items and the catalog's documented
mapping (PK = USER#{user_id}, SK = PROFILE), never read back from the tool's report.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer

from adopt.scan import Scanner
from adopt.verify import Verifier
from seed.cli import main as seed_main
from tests.adopt import world
from tests.adopt.conftest import ROOT, Space, new_space

CATALOG = str(ROOT / "catalog")
_des = TypeDeserializer().deserialize


def items(space: Space, name: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for page in space.client.get_paginator("scan").paginate(TableName=name):
        out.extend({k: _des(v) for k, v in raw.items()} for raw in page["Items"])
    return out


def keyed(rows: list[dict[str, Any]], *keys: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(r[k] for k in keys): r for r in rows}


def migrate(space: Space, table: str, source: str, *extra: str, expect: int | None = 0) -> dict[str, Any]:
    _code, out, _err = space.run(
        "migrate",
        "--stage",
        "prod",
        "--table",
        table,
        "--from",
        source,
        "--catalog",
        CATALOG,
        "--json",
        *extra,
        expect=expect,
    )
    result: dict[str, Any] = json.loads(out)
    return result


@pytest.fixture(scope="module")
def users_world(ddb_endpoint: str, synth: Any) -> Iterator[Space]:
    """The part of the as-found world the users merge touches: 001's auxeira-users-prod
    (11 records) and 000's auxeira-users."""
    space = new_space(ddb_endpoint, Path(synth.outdir))
    world.build(space.client, only=("auxeira-users-prod", "auxeira-users"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_REGION", "us-east-1")
        yield space


@pytest.fixture
def checkpoints(tmp_path: Path) -> str:
    return str(tmp_path / "checkpoints")


def test_users_merge_keeps_001_and_adds_000_under_new_keys(users_world: Space, checkpoints: str) -> None:
    before = keyed(items(users_world, "auxeira-users-prod"), "PK", "SK")
    source = items(users_world, "auxeira-users")
    result = migrate(users_world, "auxeira/users", "auxeira-users", "--checkpoint-dir", checkpoints)
    target = keyed(items(users_world, "auxeira-users-prod"), "PK", "SK")
    assert len(before) == world.SEED_001["auxeira-users-prod"]  # 001: 11 records
    assert len(target) == len(before) + len(source)
    for item in source:  # every source item, under 000 -> 001 keys, equal
        assert target[(f"USER#{item['user_id']}", "PROFILE")] == {
            **item,
            "PK": f"USER#{item['user_id']}",
            "SK": "PROFILE",
        }
    for key, item in before.items():  # 001's records untouched
        assert target[key] == item
    assert "seeded_by" not in json.dumps([target[k] for k in target if k not in before])
    assert result["written"] == len(source) and result["verification"]["ok"] is True
    args = ["--stage", "prod", "--table", "auxeira/users", "--from", "auxeira-users", "--catalog", CATALOG]
    _code, text, _err = users_world.run("migrate", *args, "--checkpoint-dir", checkpoints, expect=0)
    assert f"written 0, unchanged {len(source)}, conflicts 0" in text
    assert "written 0: every item was already in the target" in text and "resumed" not in text


def test_seed_load_prune_never_deletes_migrated_items(
    users_world: Space, checkpoints: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate(users_world, "auxeira/users", "auxeira-users", "--checkpoint-dir", checkpoints)
    monkeypatch.setenv("SEED_LOCAL_NAMESPACE", users_world.key)
    code = seed_main(
        [
            "load",
            "--stage",
            "prod",
            "--system",
            "auxeira",
            "--table",
            "users",
            "--prune",
            "--endpoint-url",
            users_world.endpoint,
        ]
    )
    assert code == 0
    target = keyed(items(users_world, "auxeira-users-prod"), "PK", "SK")
    for item in items(users_world, "auxeira-users"):
        assert (f"USER#{item['user_id']}", "PROFILE") in target


def test_a_key_already_taken_in_the_target_is_a_conflict_not_an_overwrite(space: Space, checkpoints: str) -> None:
    space.create_catalog_tables("auxeira-users-prod")
    original = {"PK": {"S": "USER#u00"}, "SK": {"S": "PROFILE"}, "email": {"S": "founder@auxeira.example"}}
    world.put_all(space.client, "auxeira-users-prod", [original])
    world.create(space.client, "auxeira-users", ("user_id",))
    world.put_all(space.client, "auxeira-users", [{"user_id": {"S": "u00"}, "email": {"S": "other@example.com"}}])
    result = migrate(space, "auxeira/users", "auxeira-users", "--checkpoint-dir", checkpoints, expect=1)
    assert (result["conflicts"], result["written"]) == (1, 0)
    assert result["conflict_keys"] and "USER#u00" in result["conflict_keys"][0]
    assert (
        space.client.get_item(TableName="auxeira-users-prod", Key={"PK": original["PK"], "SK": original["SK"]})["Item"]
        == original
    )


def test_same_keys_copy_exactly_from_a_fresh_checkout(
    space: Space, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No cdk.out and no checkpoint directory: migrate needs only the catalog."""
    keys, _capacity = world.SEED_000["auxeira-user-profiles"]
    world.create(space.client, "auxeira-user-profiles", keys)
    source = world.items_000("auxeira-user-profiles", keys, count=60)
    world.put_all(space.client, "auxeira-user-profiles", source)
    space.create_catalog_tables("auxeira-esg-profiles-prod")
    monkeypatch.chdir(tmp_path)
    result = migrate(space, "auxeira/esg-profiles", "auxeira-user-profiles")
    assert sorted(map(json.dumps, items(space, "auxeira-esg-profiles-prod")), key=str) == sorted(
        map(json.dumps, items(space, "auxeira-user-profiles")), key=str
    )
    assert result["written"] == 60 and result["verification"]["target_total"] == 60
    assert (tmp_path / ".local" / "adopt" / "prod" / "auxeira.esg-profiles" / "auxeira-user-profiles.json").is_file()


def test_dry_run_counts_and_samples_and_writes_nothing(space: Space, checkpoints: str) -> None:
    world.create(space.client, "auxeira-users", ("user_id",))
    world.put_all(space.client, "auxeira-users", world.items_000("auxeira-users", ("user_id",)))
    space.create_catalog_tables("auxeira-users-prod")
    _code, out, _err = space.run(
        "migrate",
        "--stage",
        "prod",
        "--table",
        "auxeira/users",
        "--from",
        "auxeira-users",
        "--catalog",
        CATALOG,
        "--dry-run",
        "--checkpoint-dir",
        checkpoints,
        expect=0,
    )
    assert f"would write {world.ITEMS_000}" in out
    samples = [json.loads(line.split("sample: ", 1)[1]) for line in out.splitlines() if "sample: " in line]
    assert len(samples) == 3 and all(s["PK"] == f"USER#{s['user_id']}" and s["SK"] == "PROFILE" for s in samples)
    assert world.count(space.client, "auxeira-users-prod") == 0
    assert not Path(checkpoints).exists()


def test_invalid_mapped_items_stop_before_their_page_is_written(space: Space, checkpoints: str) -> None:
    world.create(space.client, "auxeira-users", ("user_id",))
    bad = {"user_id": {"S": "u1"}, "email": {"N": "42"}}  # email-index needs a string
    world.put_all(space.client, "auxeira-users", [bad])
    space.create_catalog_tables("auxeira-users-prod")
    code, _out, err = space.run(
        "migrate",
        "--stage",
        "prod",
        "--table",
        "auxeira/users",
        "--from",
        "auxeira-users",
        "--catalog",
        CATALOG,
        "--checkpoint-dir",
        checkpoints,
    )
    assert code == 2 and "field 'email'" in err and "nothing was written" in err
    assert world.count(space.client, "auxeira-users-prod") == 0


def test_from_must_be_a_declared_live_table(space: Space) -> None:
    code, _out, err = space.run(
        "migrate", "--stage", "prod", "--table", "auxeira/users", "--from", "somebody-elses", "--catalog", CATALOG
    )
    assert code == 2 and err.startswith("error: ") and "auxeira-users-prod, auxeira-users" in err


def test_verification_finds_a_missing_item(space: Space, checkpoints: str) -> None:
    keys, _ = world.SEED_000["auxeira-user-profiles"]
    world.create(space.client, "auxeira-user-profiles", keys)
    world.put_all(space.client, "auxeira-user-profiles", world.items_000("auxeira-user-profiles", keys, count=12))
    space.create_catalog_tables("auxeira-esg-profiles-prod")
    migrate(space, "auxeira/esg-profiles", "auxeira-user-profiles", "--checkpoint-dir", checkpoints)
    space.client.delete_item(TableName="auxeira-esg-profiles-prod", Key={"user_id": {"S": "user-005"}})
    scanner = Scanner(space.client, "auxeira-user-profiles", total_segments=2, page_size=5, limiter=None)
    check = Verifier(
        space.client, scanner, target="auxeira-esg-profiles-prod", key_names=["user_id"], transform=dict
    ).run()
    assert (check.ok, check.source_items, check.missing, check.target_total) == (False, 12, 1, 11)
    assert check.samples == ["missing: user_id='user-005'"]


# --- a run killed midway resumes to exactly the source's items ------------------------

SLOW_RUN = """
import sys, time
import seed.sync
original = seed.sync.Loader._write_batch
def slow(self, *args, **kwargs):
    time.sleep(0.03)
    return original(self, *args, **kwargs)
seed.sync.Loader._write_batch = slow
from adopt.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_killed_migration_resumes_and_a_rerun_writes_nothing(space: Space, checkpoints: str) -> None:
    keys, _ = world.SEED_000["auxeira-esg-reports"]
    world.create(space.client, "auxeira-esg-reports", keys)
    world.put_all(space.client, "auxeira-esg-reports", world.items_000("auxeira-esg-reports", keys, count=200))
    space.create_catalog_tables("auxeira-esg-reports-prod")
    extra = ["--checkpoint-dir", checkpoints, "--segments", "2", "--page-size", "10"]
    args = ["migrate", "--stage", "prod", "--table", "auxeira/esg-reports", "--from", "auxeira-esg-reports"]
    args += ["--catalog", CATALOG, *extra]
    env = {**os.environ, "SEED_LOCAL_NAMESPACE": space.key, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_RUN, *args, "--endpoint-url", space.endpoint], env=env, cwd=ROOT
    )
    state = Path(checkpoints) / "prod" / "auxeira.esg-reports" / "auxeira-esg-reports.json"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if state.is_file() and sum(s["pages"] for s in json.loads(state.read_text())["segments"]) >= 4:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    assert process.wait(timeout=30) == -signal.SIGKILL, "the run finished before it could be killed"
    partial = world.count(space.client, "auxeira-esg-reports-prod")
    assert 0 < partial < 200

    resumed = migrate(space, "auxeira/esg-reports", "auxeira-esg-reports", *extra)
    assert resumed["resumed"] is True and resumed["skipped_pages"] >= 4
    assert resumed["scanned"] < 200  # the checkpointed pages were not read again
    source = keyed(items(space, "auxeira-esg-reports"), *keys)
    assert keyed(items(space, "auxeira-esg-reports-prod"), *keys) == source
    assert resumed["verification"]["ok"] is True and resumed["verification"]["source_items"] == 200

    again = migrate(space, "auxeira/esg-reports", "auxeira-esg-reports", *extra)
    assert (again["resumed"], again["scanned"], again["written"], again["unchanged"]) == (False, 200, 0, 200)
