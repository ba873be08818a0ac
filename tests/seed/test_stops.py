"""A load that cannot finish says what happened, what it wrote (per table) and how to
resume; exit 1 for a failed DynamoDB call, 2 for bad input, 130 for Ctrl-C. What is
and isn't written is checked by comparing every table before and after."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

import seed.cli
from seed import local
from seed.cli import main
from seed.datafiles import discover
from seed.sync import Backoff, BatchRejected, Loader, LoadFailed, LoadOptions
from tableforge.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
EVENTS = "auxeira-events-dev"
PARTNERS = "auxeira-partners-dev"


def run(capsys: pytest.CaptureFixture[str], endpoint: str, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--stage", "dev", "--endpoint-url", endpoint])
    out, err = capsys.readouterr()
    assert "Traceback" not in err + out
    return code, out, err


def write_events(data: Path, count: int, **overrides: dict[str, Any]) -> list[dict[str, Any]]:
    items = [{"PK": f"EVENT#{i:04d}", "SK": "DATE#2026-03-01", "n": i} for i in range(count)]
    for index, change in overrides.items():
        items[int(index.lstrip("_"))].update(change)
    (data / "auxeira").mkdir(parents=True, exist_ok=True)
    (data / "auxeira" / "events.json").write_text(json.dumps(items))
    return items


def put_partners(client: Any, count: int) -> None:
    for i in range(count):
        client.put_item(TableName=PARTNERS, Item={"PK": {"S": f"PARTNER#p{i}"}, "SK": {"S": "OFFERING#1"}})


def hooked_clients(monkeypatch: pytest.MonkeyPatch, hook: Any) -> None:
    """The CLI's DynamoDB clients, with ``hook`` on every BatchWriteItem call."""
    real = seed.cli.make_client

    def make_client(endpoint_url: str | None, *, workers: int = 8) -> Any:
        client = real(endpoint_url, workers=workers)
        client.meta.events.register("before-call.dynamodb.BatchWriteItem", hook)
        return client

    monkeypatch.setattr(seed.cli, "make_client", make_client)


# --- the server dies mid-load ---------------------------------------------------------------


def test_a_server_killed_mid_load_is_reported_unreachable_with_what_was_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, dev_tables: Any
) -> None:
    """A dedicated DynamoDB Local on disk (so what it stored survives), killed with
    SIGKILL at the 5th BatchWriteItem call, then started again to compare."""
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    db = tmp_path / "db"
    db.mkdir()
    start = partial(local.start, shared_db=True, db_path=db, workdir=tmp_path, java_options=local.QUICK_START)
    port = local.free_port()
    server = start(port)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        client = local.local_client(endpoint, "killtest", region="us-east-1")
        local.create_tables(client, [dev_tables[EVENTS], dev_tables[PARTNERS]])
        put_partners(client, 3)
        items = write_events(tmp_path / "data", 400)
        calls = []
        lock = threading.Lock()

        def kill_at_fifth(**_: Any) -> None:
            with lock:
                calls.append(1)
                if len(calls) == 5:
                    server.kill()
                    server.wait()

        hooked_clients(monkeypatch, kill_at_fifth)
        started = time.monotonic()
        code, out, err = run(capsys, endpoint, "load", "--data", str(tmp_path / "data"), "--workers", "2")
        took = time.monotonic() - started
    finally:
        local.stop(server)
    assert code == 1, err
    assert err.startswith("error: AWS: DynamoDB at http://127.0.0.1:") and "is unreachable" in err
    assert "throttl" not in err
    written = int(out.split(f"{EVENTS}: written ")[1].split(",")[0])
    assert 0 < written <= 4 * 25  # four calls went through at most, and some did
    assert f"({EVENTS} {written}); run the same command again" in err
    assert "stopped: written" in out
    assert took < 10  # unreachable is not worth 12 rounds of backoff

    again = local.free_port()
    server = start(again)
    try:
        client = local.local_client(f"http://127.0.0.1:{again}", "other", region="eu-west-1")
        stored = [i for p in client.get_paginator("scan").paginate(TableName=EVENTS) for i in p["Items"]]
        partners = [i for p in client.get_paginator("scan").paginate(TableName=PARTNERS) for i in p["Items"]]
    finally:
        local.stop(server)
    assert sorted(i["PK"]["S"] for i in partners) == [f"PARTNER#p{i}" for i in range(3)]  # untouched
    # every acknowledged write is there; at most the batches on the wire when it died beyond that
    assert written <= len(stored) <= written + 2 * 25
    by_key = {i["PK"]: i for i in items}
    assert all(int(s["n"]["N"]) == by_key[s["PK"]["S"]]["n"] for s in stored)


def test_an_endpoint_nobody_answers_is_unreachable_and_nothing_was_written(
    capsys: pytest.CaptureFixture[str],
) -> None:
    endpoint = f"http://127.0.0.1:{local.free_port()}"
    started = time.monotonic()
    code, _, err = run(capsys, endpoint, "load")
    assert code == 1
    assert "is unreachable" in err and "nothing was written" in err and "throttl" not in err
    assert time.monotonic() - started < 5


# --- DynamoDB rejects a batch -----------------------------------------------------------------


def create_events_with_a_number_index(ns: Any) -> None:
    """The live events table with an index the catalog lacks, on a number attribute ``n``:
    an item with a string there passes validation, and DynamoDB rejects its batch."""
    request = {k: v for k, v in ns.definitions[EVENTS].items() if k != "TimeToLive"}
    request["AttributeDefinitions"] = [*request["AttributeDefinitions"], {"AttributeName": "n", "AttributeType": "N"}]
    request["GlobalSecondaryIndexes"] = [
        {
            "IndexName": "n-index",
            "KeySchema": [{"AttributeName": "n", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
    ]
    ns.client.create_table(**request)


def test_a_rejected_batch_stops_the_load_and_names_its_items(
    ns: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The live table has an index the catalog lacks, on a number attribute; item [160]
    holds a string there. Validation cannot see it; DynamoDB rejects that batch."""
    create_events_with_a_number_index(ns)
    ns.create(PARTNERS)
    put_partners(ns.client, 2)
    data = tmp_path / "data"
    write_events(data, 300, _160={"n": "oops"})
    (data / "auxeira" / "partners.yaml").write_text("- {PK: 'PARTNER#z', SK: 'OFFERING#1'}\n")
    before = ns.snapshot()

    code, out, err = run(capsys, ns.endpoint, "load", "--data", str(data), "--workers", "2")
    assert code == 1
    assert f"error: AWS: DynamoDB rejected a batch of {EVENTS}, so the load stopped" in err
    assert "ValidationException" in err
    assert "events.json: item [160] (PK='EVENT#0160' SK='DATE#2026-03-01')" in err
    assert "events.json: item [150] (PK='EVENT#0150'" in err and "item [174]" in err  # the whole batch
    assert "fix the item, then run the same command again" in err
    written = int(out.split(f"{EVENTS}: written ")[1].split(",")[0])
    assert f"not reached: {PARTNERS}" in out
    after = ns.snapshot()
    assert after[PARTNERS] == before[PARTNERS]  # the load stopped before the next file
    stored = {json.loads(k)[0]["S"] for k in after[EVENTS]}
    assert len(stored) == written  # exactly what it reported
    assert not stored & {f"EVENT#{i:04d}" for i in range(150, 175)}
    assert written <= 300 - 25


def test_a_shared_loader_stopped_by_one_failure_says_so_in_its_other_runs(ns: Any, tmp_path: Path) -> None:
    """adopt migrate shares one loader between its segments' threads: once one run fails, the
    others stop at their next call, each with an error naming the first failure (it used to
    be an internal exception, shown as a bug), and write nothing more."""
    create_events_with_a_number_index(ns)
    ns.create(PARTNERS)
    events, partners = tmp_path / "events", tmp_path / "partners"
    write_events(events, 100, _60={"n": "oops"})
    (partners / "auxeira").mkdir(parents=True)
    (partners / "auxeira" / "partners.yaml").write_text("- {PK: 'PARTNER#z', SK: 'OFFERING#1'}\n")
    catalog = load_catalog(ROOT / "catalog")
    loader = Loader(
        seed.cli.make_client(ns.endpoint, workers=2),
        options=LoadOptions(stage="dev", workers=2, local=True),
        table_name=lambda system, table: f"{system}-{table}-dev",
    )
    with pytest.raises(BatchRejected):
        loader.run(discover(events, catalog))
    with pytest.raises(LoadFailed) as stopped:
        loader.run(discover(partners, catalog))
    assert str(stopped.value).startswith("stopped because another part of this load failed first: ")
    assert "ValidationException" in str(stopped.value) and "BatchWriteItem" in str(stopped.value)
    assert stopped.value.exit_status == 1
    assert ns.count(PARTNERS) == 0


# --- still throttled after every retry ------------------------------------------------------------


def test_persistent_throttling_exits_1_and_reports_per_table(
    ns: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ns.create(EVENTS)
    write_events(tmp_path / "data", 100)
    calls = []

    def throttled_after_two(**_: Any) -> Any:
        calls.append(1)
        if len(calls) <= 2:
            return None
        return AWSResponse("http://fault", 400, {}, None), {
            "Error": {"Code": "ProvisionedThroughputExceededException", "Message": "injected"}
        }

    hooked_clients(monkeypatch, throttled_after_two)
    monkeypatch.setattr("seed.sync.Backoff", partial(Backoff, sleep=lambda _s: None, max_attempts=3))
    code, out, err = run(capsys, ns.endpoint, "load", "--data", str(tmp_path / "data"), "--workers", "1")
    assert code == 1  # a failed DynamoDB call, not bad input (2)
    assert "unprocessed after 3 attempts" in err and "throttled (ProvisionedThroughputExceededException)" in err
    assert f"50 item(s) were written before it stopped ({EVENTS} 50)" in err
    assert f"{EVENTS}: written 50," in out
    assert ns.count(EVENTS) == 50


# --- Ctrl-C ---------------------------------------------------------------------------------------


def test_ctrl_c_reports_what_was_written(ns: Any, tmp_path: Path) -> None:
    """leaderboard is provisioned at 3 WCU: with --capacity-share 1 the first batch of 25
    goes at once and the second waits about 7 s for capacity; SIGINT comes then."""
    name = "auxeira-leaderboard-dev"
    ns.create(name, EVENTS)
    ns.client.put_item(TableName=EVENTS, Item={"PK": {"S": "EVENT#mine"}, "SK": {"S": "DATE#1"}})
    data = tmp_path / "data"
    (data / "auxeira").mkdir(parents=True)
    rows = [{"leaderboard_id": "SDG#99", "entity_id": f"e{i:03d}"} for i in range(100)]
    (data / "auxeira" / "leaderboard.json").write_text(json.dumps(rows))
    before = ns.snapshot()
    args = ["load", "--stage", "dev", "--endpoint-url", ns.endpoint, "--data", str(data), "--capacity-share", "1"]
    env = {**os.environ, "SEED_LOCAL_NAMESPACE": ns.key}
    process = subprocess.Popen(
        [sys.executable, "-m", "seed", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while ns.count(name) < 25 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        out, err = (s.decode() for s in process.communicate(timeout=30))
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert f"{name}: written 25," in out and "stopped: written 25" in out
    assert f"interrupted: 25 item(s) were written before it stopped ({name} 25); run the same command again" in err
    after = ns.snapshot()
    assert after[EVENTS] == before[EVENTS]
    assert sorted(json.loads(k)[1]["S"] for k in after[name]) == [f"e{i:03d}" for i in range(25)]


# --- options that cannot work -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["load", "--workers", "0"], "--workers: 0: parallel writers must be 1 to 64"),
        (["load", "--workers", "-3"], "--workers: -3"),
        (["load", "--workers", "100000"], "--workers: 100000"),
        (["load", "--workers", "two"], "--workers: 'two' is not a whole number"),
        (["load", "--capacity-share", "0"], "--capacity-share: 0: a share"),
        (["load", "--capacity-share", "-0.5"], "--capacity-share: -0.5"),
        (["load", "--capacity-share", "1.5"], "--capacity-share: 1.5"),
        (["load", "--capacity-share", "nan"], "--capacity-share: nan"),
        (["load", "--capacity-share", "inf"], "--capacity-share: inf"),
        (["synthetic", "--system", "auxeira", "--count", "1", "--ttl-days", "0"], "--ttl-days: 0"),
        (["synthetic", "--system", "auxeira", "--count", "1", "--ttl-days", "-2"], "--ttl-days: -2"),
        (["synthetic", "--system", "auxeira", "--count", "1", "--ttl-days", "99999999"], "--ttl-days: 99999999"),
        (["synthetic", "--system", "auxeira", "--count", "0"], "--count: 0"),
        (["synthetic", "--system", "auxeira", "--count", "1", "--workers", "0"], "--workers: 0"),
    ],
)
def test_impossible_option_values_are_bad_input(
    ns: Any, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    ns.create(EVENTS, "auxeira-startup-profiles-dev")
    code, out, err = run(capsys, ns.endpoint, *args)
    assert code == 2
    assert err.startswith("error: ") and words in err, err
    assert all(not items for items in ns.snapshot().values())


def test_a_data_file_that_changes_during_the_load_is_not_bad_input(
    ns: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exit 2 means nothing was written; a file broken between the two passes, after the
    first table was written, is a stopped load (1) that says what it wrote."""
    import seed.sync

    ns.create(EVENTS, PARTNERS)
    data = tmp_path / "data"
    write_events(data, 60)
    partners = data / "auxeira" / "partners.yaml"
    partners.write_text("- {PK: 'PARTNER#z', SK: 'OFFERING#1'}\n")
    real = seed.sync.validate_sources

    def validate_then_break(sources: Any) -> Any:
        validated = real(sources)
        partners.write_text("- {PK: [unclosed\n")
        return validated

    monkeypatch.setattr(seed.sync, "validate_sources", validate_then_break)
    code, out, err = run(capsys, ns.endpoint, "load", "--data", str(data))
    assert code == 1
    assert "partners.yaml" in err and f"60 item(s) were written before it stopped ({EVENTS} 60)" in err
    assert f"{EVENTS}: written 60," in out
    assert (ns.count(EVENTS), ns.count(PARTNERS)) == (60, 0)
