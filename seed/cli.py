"""`tableforge seed` (or `python -m seed`): load seed data, create local tables, generate synthetic data."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from seed import dataset, local, synthetic
from seed.datafiles import SeedError, Source, discover, prune_only_sources
from seed.progress import Progress
from seed.sync import BatchRejected, Loader, LoadFailed, LoadOptions, TableResult
from seed.transport import LocalBatchWriter
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
    if endpoint_url:
        # Without -sharedDb, DynamoDB Local keeps one database per access key and region,
        # so SEED_LOCAL_NAMESPACE gives tests (or parallel demos) their own tables.
        return local.local_client(endpoint_url, local_access_key(), config=config)
    return boto3.session.Session(region_name=local.default_region()).client("dynamodb", config=config)


def local_access_key() -> str:
    """The dummy access key for a local endpoint: SEED_LOCAL_NAMESPACE, else "local"."""
    namespace = os.environ.get("SEED_LOCAL_NAMESPACE") or "local"
    # DynamoDB Local 2.0 and later accept only access key IDs made of letters and digits.
    if not (namespace.isascii() and namespace.isalnum()):
        raise SeedError(
            f"SEED_LOCAL_NAMESPACE={namespace!r}: DynamoDB Local accepts only access key IDs made of "
            "letters and digits",
            field="SEED_LOCAL_NAMESPACE",
        )
    return namespace


# --- commands ------------------------------------------------------------------------


def _flags(values: list[str]) -> dict[str, bool]:
    flags = {}
    for value in values:
        name, _, raw = value.partition("=")
        if name not in FEATURE_FLAGS:
            raise SeedError(f"unknown feature flag '{name}'; known: {', '.join(FEATURE_FLAGS)}", field="--flag")
        flags[name] = parse_bool(raw or "true", f"--flag {name}")
    return flags


def _loader(args: argparse.Namespace, stage: str, marker: str = dataset.LEGACY_MARKER) -> Loader:
    client = make_client(args.endpoint_url, workers=args.workers)
    options = LoadOptions(
        stage=stage,
        dry_run=args.dry_run,
        prune=getattr(args, "prune", False),
        workers=args.workers,
        capacity_share=args.capacity_share,
        marker=marker,
        local=args.endpoint_url is not None,  # make_client allows only loopback endpoints
    )
    return Loader(
        client,
        options=options,
        table_name=lambda system, table: resolve_table(system, table, get_stage(stage)).physical_name,
        progress=Progress(enabled=False) if args.json else Progress(),
        # DynamoDB Local shares our CPU: writes skip botocore's per-request overhead
        transport=LocalBatchWriter(client, local_access_key()) if args.endpoint_url else None,
    )


def cmd_load(args: argparse.Namespace) -> int:
    stage = get_stage(args.stage).name
    catalog = load_catalog(args.catalog, flags=_flags(args.flag))
    data = Path(args.data)
    sources = discover(data, catalog, system=args.system, table=args.table)
    if not sources:
        raise SeedError(
            "no data files found (a data folder holds <system>/<table>.yaml|json); nothing was written",
            file=str(args.data),
        )
    # the data set's own marker: --prune deletes only what this folder wrote
    marker = dataset.marker(data)
    dataset.mark(sources, marker)
    if args.prune:
        sources += prune_only_sources(catalog, sources, system=args.system, table=args.table)
    return _run(args, _loader(args, stage, marker), sources, stage)


def cmd_migrate_markers(args: argparse.Namespace) -> int:
    """Hand the items another folder wrote before data sets had names back to it."""
    stage = get_stage(args.stage).name
    data = Path(args.data)
    new_marker = dataset.marker(data)
    if new_marker == dataset.LEGACY_MARKER:
        raise SeedError(
            f"{args.data} is seed/data, whose marker is still '{dataset.LEGACY_MARKER}': nothing to migrate",
            field="--data",
        )
    catalog = load_catalog(args.catalog, flags=_flags(args.flag))
    sources = discover(data, catalog, system=args.system, table=args.table)
    if not sources:
        raise SeedError("no data files found; nothing was changed", file=str(args.data))
    defaults = discover(dataset.DEFAULT_DATA, catalog, system=args.system, table=args.table)
    client = make_client(args.endpoint_url, workers=args.workers)
    config = get_stage(stage)
    outcome = dataset.migrate(
        client,
        sources,
        defaults,
        table_name=lambda system, table: resolve_table(system, table, config).physical_name,
        new_marker=new_marker,
        dry_run=args.dry_run,
        workers=args.workers,
    )
    if args.json:
        print(json.dumps([m.__dict__ for m in outcome], indent=2))
        return 0
    verb = "would re-mark" if args.dry_run else "re-marked"
    for m in outcome:
        print(
            f"{m.name}: {m.found} item(s) marked '{dataset.LEGACY_MARKER}': {verb} {m.moved} as "
            f"'{new_marker}', kept {m.kept} that seed/data has"
        )
    return 0


def cmd_synthetic(args: argparse.Namespace) -> int:
    stage = get_stage(args.stage).name
    catalog = load_catalog(args.catalog)
    sources = synthetic.sources(catalog, args.system, count=args.count, seed=args.seed, ttl_days=args.ttl_days)
    return _run(args, _loader(args, stage), sources, stage)


RESUME = "run the same command again to finish: what was written compares unchanged and is skipped"


def _run(args: argparse.Namespace, loader: Loader, sources: list[Source], stage: str) -> int:
    """Load and report. A load that stops part way (a failed DynamoDB call, Ctrl-C)
    still reports what it wrote, per table, and says how to resume."""
    started = time.monotonic()
    try:
        results = loader.run(sources)
    except SeedError as exc:
        if not isinstance(exc, LoadFailed) and not loader.results:
            raise  # bad input, found before the first write: nothing was written
        # a failed call, or a data file that changed while the load ran
        prefix = "AWS: " if isinstance(exc, LoadFailed) else ""
        message = f"{prefix}{exc}; {_written(loader.results)}"
        _report_stop(args, loader, stage, started, message)
        raise LoadFailed(message) from None
    except BatchRejected as exc:
        held = "\n    ".join(exc.held)
        message = (
            f"AWS: DynamoDB rejected a batch of {exc.table}, so the load stopped: {exc}\n"
            f"  the batch held:\n    {held}\n  {_written(loader.results, fix='fix the item, then ')}"
        )
        _report_stop(args, loader, stage, started, message)
        raise LoadFailed(message) from None
    except (ClientError, BotoCoreError) as exc:
        message = f"AWS: {exc}; {_written(loader.results)}"
        _report_stop(args, loader, stage, started, message)
        raise LoadFailed(message) from None
    except KeyboardInterrupt:
        _report_stop(args, loader, stage, started, "interrupted")
        print(f"interrupted: {_written(loader.results)}", file=sys.stderr)
        raise
    report(results, stage=stage, dry_run=args.dry_run, as_json=args.json, seconds=time.monotonic() - started)
    return 0


def _written(results: list[TableResult], fix: str = "") -> str:
    """What DynamoDB acknowledged before a load stopped, per table, and how to resume."""
    done = [f"{r.name} {r.written + r.deleted}" for r in results if r.written or r.deleted]
    if not done:
        return "nothing was written" + (f"; {fix}{RESUME}" if fix else "")
    total = sum(r.written + r.deleted for r in results)
    return f"{total} item(s) were written before it stopped ({', '.join(done)}); {fix}{RESUME}"


def _report_stop(args: argparse.Namespace, loader: Loader, stage: str, started: float, error: str) -> None:
    """What a load that stopped part way had done: the usual report, marked as stopped."""
    report(
        loader.results,
        stage=stage,
        dry_run=args.dry_run,
        as_json=args.json,
        seconds=time.monotonic() - started,
        stopped=error,
        not_reached=loader.not_reached,
    )


def report(
    results: list[TableResult],
    *,
    stage: str,
    dry_run: bool,
    as_json: bool,
    seconds: float,
    stopped: str | None = None,
    not_reached: list[str] | None = None,
) -> None:
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
        if stopped is not None:
            payload.update(complete=False, error=stopped, not_reached=not_reached or [])
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
    if stopped is not None:
        if not_reached:
            print(f"not reached: {', '.join(not_reached)}")
        print(
            f"stopped: written {totals['written']}, unchanged {totals['unchanged']}, "
            f"deleted {totals['deleted']} in {seconds:.2f} s"
        )
    elif dry_run:
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
    """Start or stop the DynamoDB Local of `make local`: one per port, recorded in
    .local/ (a pid file per port), each with -sharedDb so any credentials and any
    region see the same tables."""
    state = Path(args.state_dir)
    running = local.servers(state) if state.is_dir() else []
    if args.action == "stop":
        chosen = [s for s in running if args.port is None or s.port == args.port]
        if not chosen:
            where = f" on port {args.port}" if args.port is not None else ""
            print(f"DynamoDB Local is not running{where} (no live pid file in {state})")
            return 0
        for server in chosen:
            stopped = local.stop_server(server)
            state_word = "stopped" if stopped else "was not running"
            print(f"DynamoDB Local at http://127.0.0.1:{server.port} (pid {server.pid}) {state_word}")
        return 0
    port = 8000 if args.port is None else args.port
    for server in running:
        if server.port == port:
            if not local.is_shared(server.pid):
                raise SeedError(
                    f"DynamoDB Local on port {port} (pid {server.pid}) was started without -sharedDb by an "
                    "earlier version, so other credentials and regions would not see its tables: run "
                    "`make local-stop`, then `make local` again (its in-memory data goes with it)",
                    field="--port",
                )
            print(f"DynamoDB Local already running (pid {server.pid}) at http://127.0.0.1:{port}")
            return 0
    state.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="dynamodb-local-"))
    process = local.start(
        port,
        log_path=state / f"dynamodb-local-{port}.log",
        shared_db=True,
        workdir=workdir,
        java_options=tuple(args.java_option),
    )
    local.record(state, port, process.pid, workdir)
    print(f"DynamoDB Local started (pid {process.pid}) at http://127.0.0.1:{port}")
    others = [s.port for s in running]
    if others:
        ports = ", ".join(map(str, others))
        print(f"  also running on port {ports}; `make local-stop` stops every one")
    return 0


# --- option values ---------------------------------------------------------------------

MAX_WORKERS = 64
MAX_TTL_DAYS = 3650


def _workers(text: str) -> int:
    value = _whole(text)
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"{text}: parallel writers must be 1 to {MAX_WORKERS}")
    return value


def _capacity_share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and 0 < value <= 1):
        raise argparse.ArgumentTypeError(
            f"{text}: a share of the table's write capacity is more than 0 and at most 1 (0.5 is half)"
        )
    return value


def _ttl_days(text: str) -> int:
    value = _whole(text)
    if not 1 <= value <= MAX_TTL_DAYS:
        raise argparse.ArgumentTypeError(
            f"{text}: synthetic items expire 1 to {MAX_TTL_DAYS} days from now (0 or less expires them at once)"
        )
    return value


def _count(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: --count must be at least 1")
    return value


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


# --- argument parsing -------------------------------------------------------------------


def _common(parser: argparse.ArgumentParser, *, writes: bool = True) -> None:
    parser.add_argument("--stage", required=True, choices=list(STAGES))
    parser.add_argument("--endpoint-url", help="e.g. http://127.0.0.1:8000 for DynamoDB Local")
    parser.add_argument("--json", action="store_true", help="machine-readable output; no progress bar")
    parser.add_argument("--catalog", default=str(ROOT / "catalog"), help=argparse.SUPPRESS)
    if writes:
        parser.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
        parser.add_argument(
            "--workers", type=_workers, default=8, help=f"parallel BatchWriteItem calls, 1-{MAX_WORKERS} (default 8)"
        )
        parser.add_argument(
            "--capacity-share",
            type=_capacity_share,
            default=0.5,
            help="share of a provisioned table's write capacity to use, more than 0 and at most 1 (default 0.5)",
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
    load.add_argument("--prune", action="store_true", help="delete items this data folder wrote that it no longer has")
    load.add_argument("--flag", action="append", default=[], metavar="NAME=BOOL", help="catalog feature flag")
    load.set_defaults(handler=cmd_load)

    migrate = sub.add_parser(
        "migrate-markers",
        help="give the items another data folder wrote before data sets had names back to that folder",
    )
    _common(migrate)
    migrate.add_argument("--system")
    migrate.add_argument("--table")
    migrate.add_argument("--data", required=True, help="the data folder those items came from (not seed/data)")
    migrate.add_argument("--flag", action="append", default=[], metavar="NAME=BOOL", help="catalog feature flag")
    migrate.set_defaults(handler=cmd_migrate_markers)

    tables = sub.add_parser("local-tables", help="create a stage's tables on DynamoDB Local from cdk.out")
    _common(tables, writes=False)
    tables.add_argument("--cdk-out", default=str(ROOT / "cdk.out"))
    tables.add_argument("--recreate", action="store_true", help="drop and recreate tables whose schema differs")
    tables.set_defaults(handler=cmd_local_tables)

    synth = sub.add_parser("synthetic", help="generate expiring demo data (003's patterns)")
    _common(synth)
    synth.add_argument("--system", required=True)
    synth.add_argument("--count", type=_count, required=True, help="companies; each adds 12 ESG rows and an investment")
    synth.add_argument("--seed", type=int, default=3, help="random seed (same seed, same data: a re-run writes 0)")
    synth.add_argument(
        "--ttl-days", type=_ttl_days, default=7, help=f"expires_at = now + this many days, 1-{MAX_TTL_DAYS}"
    )
    synth.set_defaults(handler=cmd_synthetic)

    status = sub.add_parser("status", help="tables and item counts at an endpoint")
    _common(status, writes=False)
    status.set_defaults(handler=cmd_status)

    ddb = sub.add_parser("dynamodb-local", help="start or stop DynamoDB Local (used by make local)")
    ddb.add_argument("action", choices=["start", "stop"])
    ddb.add_argument("--port", type=int, help="start: default 8000; stop: default every running one")
    ddb.add_argument("--state-dir", default=str(ROOT / ".local"), help=argparse.SUPPRESS)
    ddb.add_argument("--java-option", action="append", default=[], metavar="OPTION", help="JVM option, repeatable")
    ddb.set_defaults(handler=cmd_dynamodb_local)


def main(argv: list[str] | None = None) -> int:
    """``python -m seed ...``: the same as ``tableforge seed ...``, same exit statuses."""
    return cli_main(argv, group="seed", prog="python -m seed")
