"""Local mode works with the user's own client: shared database, any credentials and
region, the port asked for, nothing written into the checkout, no cost guard."""

from __future__ import annotations

import json
import re
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from seed import local
from seed.cli import main, make_client

ROOT = Path(__file__).resolve().parents[2]


def test_start_on_another_port_starts_a_shared_server_there(
    ddb_server: Any,
    dev_tables: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`make local LOCAL_PORT=N` while a server runs on another port: that one used to be
    reused silently, and every later step failed with 'could not connect'."""
    state = tmp_path / "state"
    state.mkdir()
    # the session's DynamoDB Local stands for the one already running on another port
    local.record(state, ddb_server.port, ddb_server.process.pid, tmp_path / "not-ours")
    port = local.free_port()
    args = ["dynamodb-local", "start", "--port", str(port), "--state-dir", str(state)]
    args += [f"--java-option={option}" for option in local.QUICK_START]  # starts sooner; same server
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "started (pid " in out and f"at http://127.0.0.1:{port}" in out
    assert f"also running on port {ddb_server.port}" in out
    (server,) = [s for s in local.servers(state) if s.port == port]
    try:
        endpoint = f"http://127.0.0.1:{port}"
        # tables made through the CLI's client (its own dummy key) ...
        monkeypatch.setenv("SEED_LOCAL_NAMESPACE", "cliKey1")
        made = ["auxeira-events-dev", "auxeira-partners-dev"]
        local.create_tables(make_client(endpoint), [dev_tables[n] for n in made])
        # ... are what any other credentials and region see
        for key, region in [("AKIAIOSFODNN7EXAMPLE", "eu-west-3"), ("x", "ap-southeast-2"), ("Dummy123", "us-west-2")]:
            assert sorted(local.local_client(endpoint, key, region=region).list_tables()["TableNames"]) == made
        # DynamoDB Local runs outside the checkout: its files never show up in git status
        cwd = Path(f"/proc/{server.pid}/cwd").resolve()
        assert ROOT not in [cwd, *cwd.parents]
        capsys.readouterr()
        assert main(args) == 0  # the same port again: reused
        assert f"already running (pid {server.pid})" in capsys.readouterr().out
        # the other one is not shared (as an earlier `make local` left it): not reused quietly
        other = ["dynamodb-local", "start", "--port", str(ddb_server.port), "--state-dir", str(state)]
        assert main(other) == 2
        assert "was started without -sharedDb by an earlier version" in capsys.readouterr().err
    finally:
        assert main(["dynamodb-local", "stop", "--port", str(port), "--state-dir", str(state)]) == 0
    assert ddb_server.process.poll() is None  # the other server is left alone
    assert f"127.0.0.1:{port} (pid {server.pid}) stopped" in capsys.readouterr().out
    assert not local.is_dynamodb_local(server.pid)


def test_start_on_a_port_another_program_holds_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        code = main(["dynamodb-local", "start", "--port", str(port), "--state-dir", str(tmp_path)])
    assert code == 2
    assert f"port {port} is already in use by another program" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_local_load_is_not_held_to_the_stages_on_demand_cap(
    ns: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """dev caps on-demand tables at 100 write units: the loader used half of that against
    DynamoDB Local too (20,000 items took 390 s). 1,500 items would take 20 s."""
    name = "auxeira-events-dev"
    ns.create(name)
    assert ns.client.describe_table(TableName=name)["Table"]["OnDemandThroughput"]["MaxWriteRequestUnits"] == 100
    data = tmp_path / "data"
    (data / "auxeira").mkdir(parents=True)
    items = [{"PK": f"EVENT#{i:05d}", "SK": "DATE#2026-01-01"} for i in range(1500)]
    (data / "auxeira" / "events.json").write_text(json.dumps(items))
    started = time.monotonic()
    code = main(["load", "--stage", "dev", "--endpoint-url", ns.endpoint, "--data", str(data), "--json"])
    assert code == 0
    (table,) = json.loads(capsys.readouterr().out)["tables"]
    assert table["write_rate_limit"] is None and table["written"] == 1500
    assert time.monotonic() - started < 10
    assert ns.count(name) == 1500


def test_a_namespace_dynamodb_local_would_refuse_is_named(
    ns: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEED_LOCAL_NAMESPACE", "my-tests")
    assert main(["status", "--stage", "dev", "--endpoint-url", ns.endpoint]) == 2
    assert "SEED_LOCAL_NAMESPACE='my-tests': DynamoDB Local accepts only access key IDs made of letters and digits" in (
        capsys.readouterr().err
    )


def test_the_readmes_own_client_example_uses_a_key_dynamodb_local_accepts() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Seed data and local mode", 1)[1].split("\n## ", 1)[0]
    keys = re.findall(r"AWS_ACCESS_KEY_ID=(\S+)", section) + re.findall(r"aws_access_key_id=\"([^\"]+)\"", section)
    assert keys, "the local-mode section shows how to use your own client"
    assert all(key.isascii() and key.isalnum() for key in keys), keys


def test_loopback_clients_keep_their_own_access_key(ddb_endpoint: str, dev_tables: Any) -> None:
    """Every loopback client comes from one boto3 session (botocore reads its models once), but
    each signs with its own key: without -sharedDb, DynamoDB Local gives each key its own
    database, so what one creates the other does not see, whichever was made last."""
    first = local.local_client(ddb_endpoint, "ownKeyA", region="us-east-1")
    local.create_tables(first, [dev_tables["auxeira-events-dev"]])
    second = local.local_client(ddb_endpoint, "ownKeyB", region="us-east-1")
    assert second.list_tables()["TableNames"] == []
    assert first.list_tables()["TableNames"] == ["auxeira-events-dev"]
