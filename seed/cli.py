"""`tableforge seed` (or `python -m seed`): load seed data, create local tables, generate synthetic data."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from seed import local, synthetic
from seed.datafiles import SeedError, Source, discover, prune_only_sources
from seed.progress import Progress
from seed.sync import Loader, LoadOptions, TableResult
from tableforge.catalog import FEATURE_FLAGS, load_catalog
from tableforge.cli import main as cli_main
from tableforge.resolve import resolve_table
from tableforge.settings import parse_bool
from tableforge.stages import STAGES, get_stage

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path(__file__).resolve().parent / "data"


# --- clients -----------------------------------------------------------------------


def make_client(endpoint_url: str | None, *, workers: int = 8) -> Any:
    """A DynamoDB client. With --endpoint-url on this machine, dummy credentials:
    nothing local may ever pick up (or need) real AWS credentials."""
    config = Config(
        # our own backoff handles throttling; botocore must not retry behind it
        retries={"total_max_attempts": 1},
        # every item was validated against the catalog already; botocore walking
        # each attribute again costs more CPU than the HTTP call
        parameter_validation=False,
        max_pool_connections=workers + 4,
        connect_timeout=5,
        read_timeout=60,
    )
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    if endpoint_url:
        local.require_loopback(endpoint_url)
        # DynamoDB Local keeps one database per access key and region, so
        # SEED_LOCAL_NAMESPACE gives tests (or parallel demos) their own tables.
        session = boto3.session.Session(
            aws_access_key_id=os.environ.get("SEED_LOCAL_NAMESPACE") or "local",
            aws_secret_access_key="local",
            region_name=region,
        )
        return session.client("dynamodb", endpoint_url=endpoint_url, config=config)
    return boto3.session.Session(region_name=region).client("dynamodb", config=config)


# --- commands ------------------------------------------------------------------------


def _flags(values: list[str]) -> dict[str, bool]:
    flags = {}
    for value in values:
        name, _, raw = value.partition("=")
        if name not in FEATURE_FLAGS:
            raise SeedError(f"unknown feature flag '{name}'; known: {', '.join(FEATURE_FLAGS)}", field="--flag")
        flags[name] = parse_bool(raw or "true", f"--flag {name}")
    return flags


def _loader(args: argparse.Namespace, stage: str) -> Loader:
    client = make_client(args.endpoint_url, workers=args.workers)
    options = LoadOptions(
        stage=stage,
        dry_run=args.dry_run,
        prune=getattr(args, "prune", False),
        workers=args.workers,
        capacity_share=args.capacity_share,
    )
    return Loader(
        client,
        options=options,
        table_name=lambda system, table: resolve_table(system, table, get_stage(stage)).physical_name,
        progress=Progress(enabled=False) if args.json else Progress(),
    )


def cmd_load(args: argparse.Namespace) -> int:
    stage = get_stage(args.stage).name
    catalog = load_catalog(args.catalog, flags=_flags(args.flag))
    sources = discover(Path(args.data), catalog, system=args.system, table=args.table)
    if args.prune:
        sources += prune_only_sources(catalog, sources, system=args.system, table=args.table)
    if not sources:
        raise SeedError("no data files found", file=str(args.data))
    return _run(args, _loader(args, stage), sources, stage)


def cmd_synthetic(args: argparse.Namespace) -> int:
    stage = get_stage(args.stage).name
    catalog = load_catalog(args.catalog)
    sources = synthetic.sources(catalog, args.system, count=args.count, seed=args.seed, ttl_days=args.ttl_days)
    return _run(args, _loader(args, stage), sources, stage)


def _run(args: argparse.Namespace, loader: Loader, sources: list[Source], stage: str) -> int:
    started = time.monotonic()
    results = loader.run(sources)
    report(results, stage=stage, dry_run=args.dry_run, as_json=args.json, seconds=time.monotonic() - started)
    return 0


def report(results: list[TableResult], *, stage: str, dry_run: bool, as_json: bool, seconds: float) -> None:
    loaded = [r for r in results if not r.skipped]
    totals = {
        "written": sum(r.written for r in loaded),
        "unchanged": sum(r.unchanged for r in loaded),
        "deleted": sum(r.deleted for r in loaded),
        "added": sum(r.added for r in loaded),
        "changed": sum(r.changed for r in loaded),
        "removed": sum(r.removed for r in loaded),
    }
    if as_json:
        payload = {
            "stage": stage,
            "dry_run": dry_run,
            **totals,
            "seconds": round(seconds, 3),
            "tables": [{**r.as_dict(), **({"diff": r.diff} if dry_run else {})} for r in results],
        }
        print(json.dumps(payload, indent=2))
        return
    for r in results:
        if r.prune_only and not (r.removed or r.deleted):
            continue  # a table without data and without our items: nothing to say
        if r.skipped:
            print(f"{r.name}: skipped ({r.skipped})")
            continue
        limit = f", write limit {r.write_rate_limit:g} WCU/s" if r.write_rate_limit else ""
        if dry_run:
            for line in r.diff:
                print(f"  {line}")
            hidden = r.added + r.changed + r.removed - len(r.diff)
            if hidden > 0:
                print(f"  ... and {hidden} more")
            print(
                f"{r.name}: would write {r.added + r.changed} (added {r.added}, changed {r.changed}), "
                f"unchanged {r.unchanged}, would delete {r.removed} ({r.seconds:.2f} s){limit}"
            )
        else:
            print(
                f"{r.name}: written {r.written}, unchanged {r.unchanged}, deleted {r.deleted} "
                f"({r.seconds:.2f} s){limit}"
            )
    if dry_run:
        print(
            f"dry run, nothing written: would write {totals['added'] + totals['changed']}, "
            f"unchanged {totals['unchanged']}, would delete {totals['removed']} in {seconds:.2f} s"
        )
    else:
        print(
            f"total: written {totals['written']}, unchanged {totals['unchanged']}, "
            f"deleted {totals['deleted']} in {seconds:.2f} s"
        )


def cmd_local_tables(args: argparse.Namespace) -> int:
    if not args.endpoint_url:
        raise SeedError("local-tables needs --endpoint-url (DynamoDB Local on this machine)")
    local.require_loopback(args.endpoint_url)
    definitions = local.table_definitions(Path(args.cdk_out), args.stage)
    client = make_client(args.endpoint_url)
    outcome = local.create_tables(client, definitions, recreate=args.recreate)
    if args.json:
        print(json.dumps([{"table": n, "state": s} for n, s in outcome], indent=2))
    else:
        for name, state in outcome:
            print(f"{name}: {state}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Tables and item counts at an endpoint: what `make local` ends with."""
    if args.endpoint_url is None:
        raise SeedError("--endpoint-url is required for status")
    client = make_client(args.endpoint_url)
    suffix = f"-{get_stage(args.stage).name}"
    names = [n for page in client.get_paginator("list_tables").paginate() for n in page["TableNames"]]
    rows = []
    for name in sorted(n for n in names if n.endswith(suffix)):
        count = 0
        for page in client.get_paginator("scan").paginate(TableName=name, Select="COUNT"):
            count += page["Count"]
        rows.append((name, count))
    if args.json:
        print(json.dumps([{"table": n, "items": c} for n, c in rows], indent=2))
        return 0
    width = max((len(n) for n, _ in rows), default=10)
    print(f"DynamoDB Local at {args.endpoint_url}: {len(rows)} tables, {sum(c for _, c in rows)} items")
    for name, count in rows:
        print(f"  {name:<{width}}  {count:>6}")
    return 0


def cmd_dynamodb_local(args: argparse.Namespace) -> int:
    pidfile = Path(args.pidfile)
    if args.action == "stop":
        if not pidfile.exists():
            print("DynamoDB Local is not running (no pid file)")
            return 0
        stopped = local.stop_pid(int(pidfile.read_text().split()[0]))
        pidfile.unlink()
        print("DynamoDB Local stopped" if stopped else "DynamoDB Local was not running")
        return 0
    if pidfile.exists():
        pid, port = pidfile.read_text().split()
        if Path(f"/proc/{pid}").exists():
            print(f"DynamoDB Local already running (pid {pid}) at http://127.0.0.1:{port}")
            return 0
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    process = local.start(args.port, log_path=pidfile.with_suffix(".log"))
    pidfile.write_text(f"{process.pid} {args.port}\n")
    print(f"DynamoDB Local started (pid {process.pid}) at http://127.0.0.1:{args.port}")
    return 0


# --- argument parsing -------------------------------------------------------------------


def _common(parser: argparse.ArgumentParser, *, writes: bool = True) -> None:
    parser.add_argument("--stage", required=True, choices=list(STAGES))
    parser.add_argument("--endpoint-url", help="e.g. http://127.0.0.1:8000 for DynamoDB Local")
    parser.add_argument("--json", action="store_true", help="machine-readable output; no progress bar")
    parser.add_argument("--catalog", default=str(ROOT / "catalog"), help=argparse.SUPPRESS)
    if writes:
        parser.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
        parser.add_argument("--workers", type=int, default=8, help="parallel BatchWriteItem calls (default 8)")
        parser.add_argument(
            "--capacity-share",
            type=float,
            default=0.5,
            help="share of a provisioned table's write capacity to use (default 0.5)",
        )


def add_commands(root: argparse.ArgumentParser) -> None:
    """``tableforge seed <command>``: each command sets ``handler``."""
    root.description = "Load seed data, create local tables, generate synthetic data."
    sub = root.add_subparsers(dest="command", required=True)

    load = sub.add_parser("load", help="sync seed data files into a stage's tables")
    _common(load)
    load.add_argument("--system")
    load.add_argument("--table")
    load.add_argument("--data", default=str(DEFAULT_DATA), help="data directory: <system>/<table>.yaml|json")
    load.add_argument("--prune", action="store_true", help="delete items this loader wrote that the data no longer has")
    load.add_argument("--flag", action="append", default=[], metavar="NAME=BOOL", help="catalog feature flag")
    load.set_defaults(handler=cmd_load)

    tables = sub.add_parser("local-tables", help="create a stage's tables on DynamoDB Local from cdk.out")
    _common(tables, writes=False)
    tables.add_argument("--cdk-out", default=str(ROOT / "cdk.out"))
    tables.add_argument("--recreate", action="store_true", help="drop and recreate tables whose schema differs")
    tables.set_defaults(handler=cmd_local_tables)

    synth = sub.add_parser("synthetic", help="generate expiring demo data (003's patterns)")
    _common(synth)
    synth.add_argument("--system", required=True)
    synth.add_argument("--count", type=int, required=True, help="companies; each adds 12 ESG rows and an investment")
    synth.add_argument("--seed", type=int, default=3, help="random seed (same seed, same data)")
    synth.add_argument("--ttl-days", type=int, default=7, help="expires_at = now + this many days")
    synth.set_defaults(handler=cmd_synthetic)

    status = sub.add_parser("status", help="tables and item counts at an endpoint")
    _common(status, writes=False)
    status.set_defaults(handler=cmd_status)

    ddb = sub.add_parser("dynamodb-local", help="start or stop DynamoDB Local (used by make local)")
    ddb.add_argument("action", choices=["start", "stop"])
    ddb.add_argument("--port", type=int, default=8000)
    ddb.add_argument("--pidfile", default=str(ROOT / ".local" / "dynamodb-local.pid"))
    ddb.set_defaults(handler=cmd_dynamodb_local)


def main(argv: list[str] | None = None) -> int:
    """``python -m seed ...``: the same as ``tableforge seed ...``, same exit statuses."""
    return cli_main(argv, group="seed", prog="python -m seed")
