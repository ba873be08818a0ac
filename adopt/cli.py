"""The `adopt` commands: ``plan`` and ``migrate``.

:func:`add_commands` adds both to an argparse subparsers object (the shared
``tableforge`` CLI's ``adopt`` group, or ``python -m adopt``). Handlers return 0 or 1
and raise :class:`tableforge.errors.TableforgeError` for bad input (exit 2).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from adopt import render
from adopt.assemblies import write_outputs
from adopt.checkpoint import DEFAULT_DIR
from adopt.clients import migrate_client, plan_client
from adopt.keymap import KeyMapping
from adopt.migrate import MigrationRequest, migrate
from adopt.plan import DEFAULT_LARGE_TABLE_GB, build_plan
from tableforge.assembly import read_assembly
from tableforge.catalog import Catalog, load_catalog
from tableforge.errors import TableforgeError
from tableforge.resolve import resolve_table
from tableforge.stages import STAGES, get_stage

Handler = Callable[[argparse.Namespace], int]


def add_group_commands(parser: Any) -> None:
    """``tableforge adopt``'s commands, for the shared CLI."""
    add_commands(parser.add_subparsers(dest="command", required=True, metavar="<command>"))


def add_commands(subparsers: Any) -> None:
    """Add ``plan`` and ``migrate``; each parser's ``handler`` default is its function."""
    plan = subparsers.add_parser("plan", help="classify every table of a stage against what is live (read-only)")
    plan.add_argument("--stage", required=True, choices=list(STAGES))
    plan.add_argument("--endpoint-url", help="a loopback DynamoDB endpoint (DynamoDB Local) instead of AWS")
    plan.add_argument("--format", choices=("text", "json"), default="text")
    plan.add_argument("--mapping-out", type=Path, help="write the cdk import mapping files and templates here")
    plan.add_argument("--cdk-out", type=Path, default=Path("cdk.out"))
    plan.add_argument("--catalog", type=Path, default=Path("catalog"))
    plan.add_argument("--large-table-gb", type=float, default=DEFAULT_LARGE_TABLE_GB)
    plan.set_defaults(handler=cmd_plan)

    mig = subparsers.add_parser("migrate", help="copy a live table's items into the catalog's table")
    mig.add_argument("--stage", required=True, choices=list(STAGES))
    mig.add_argument("--table", required=True, metavar="SYSTEM/TABLE")
    mig.add_argument("--from", dest="source", required=True, metavar="LIVE_NAME")
    mig.add_argument("--endpoint-url")
    mig.add_argument("--dry-run", action="store_true", help="counts, conflicts and sample mapped items; no writes")
    mig.add_argument("--json", action="store_true")
    mig.add_argument("--catalog", type=Path, default=Path("catalog"))
    mig.add_argument("--segments", type=_positive, default=4, help="parallel Scan segments (TotalSegments)")
    mig.add_argument("--page-size", type=_positive, default=500, help="items per Scan page and checkpoint")
    mig.add_argument("--workers", type=_positive, default=4, help="parallel BatchWriteItem calls per segment")
    mig.add_argument("--capacity-share", type=float, default=0.5, help="share of provisioned capacity to use")
    mig.add_argument("--overwrite", action="store_true", help="replace target items that differ (conflicts)")
    mig.add_argument("--checkpoint-dir", type=Path, default=DEFAULT_DIR)
    mig.set_defaults(handler=cmd_migrate)


def cmd_plan(args: argparse.Namespace) -> int:
    if not (args.cdk_out / "manifest.json").is_file():
        raise TableforgeError("no synthesized assembly here; run `make synth` first", file=str(args.cdk_out))
    catalog = load_catalog(args.catalog)
    stacks = read_assembly(args.cdk_out)
    with _aws_errors(args.endpoint_url):
        plan = build_plan(
            plan_client(args.endpoint_url),
            catalog,
            stacks,
            stage=args.stage,
            large_table_gb=args.large_table_gb,
            mapping_dir=str(args.mapping_out or "adopt-out"),
            endpoint_url=args.endpoint_url,
        )
    if args.mapping_out is not None:
        data = [s for s in stacks if s.kind == "data" and s.stage_name == args.stage]
        write_outputs(args.mapping_out, plan, data)
    print(render.plan_json(plan) if args.format == "json" else render.plan_text(plan))
    return plan.exit_code


def cmd_migrate(args: argparse.Namespace) -> int:
    request = migration_request(args, load_catalog(args.catalog))
    with _aws_errors(args.endpoint_url):
        result = migrate(migrate_client(args.endpoint_url, workers=args.segments * args.workers), request)
    summary = {
        "stage": request.stage,
        "table": f"{request.system}/{request.table}",
        "key_mapping": request.key_mapping.describe() if request.key_mapping else None,
    }
    print(render.migration_json(result, summary) if args.json else render.migration_text(result, summary))
    return 0 if result.ok else 1


def migration_request(args: argparse.Namespace, catalog: Catalog) -> MigrationRequest:
    """The request, checked against the catalog: --from must be one of the table's live entries."""
    system, _, table = str(args.table).partition("/")
    if system not in catalog.systems or table not in catalog.systems[system].tables:
        raise TableforgeError(f"no catalog table '{args.table}' (SYSTEM/TABLE, e.g. auxeira/users)", field="--table")
    spec = catalog.systems[system].tables[table]
    stage = get_stage(args.stage)
    entries = {e.name: e for e in spec.live.get(stage.name, []) if e.name}
    if args.source not in entries:
        known = ", ".join(entries) or "none"
        raise TableforgeError(
            f"{args.source} is not a live table of {args.table} in stage {stage.name} (the catalog lists: {known}); "
            "declare it under the table's live entries first",
            file=str(catalog.paths[system]),
            field="--from",
        )
    if not 0 < args.capacity_share <= 1:
        raise TableforgeError("must be in (0, 1]", field="--capacity-share")
    entry = entries[args.source]
    return MigrationRequest(
        stage=stage.name,
        system=system,
        table=table,
        spec=spec,
        target=resolve_table(system, table, stage).physical_name,
        source=args.source,
        key_mapping=KeyMapping.for_table(entry.key_map, spec) if entry.key_map else None,
        segments=args.segments,
        page_size=args.page_size,
        workers=args.workers,
        capacity_share=args.capacity_share,
        dry_run=args.dry_run,
        overwrite=args.overwrite,
        checkpoint_dir=args.checkpoint_dir,
        endpoint=args.endpoint_url or "aws",
    )


@contextmanager
def _aws_errors(endpoint_url: str | None) -> Iterator[None]:
    """Credential, connection and permission errors are bad input too: one line, exit 2."""
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise TableforgeError(f"{exc.operation_name}: {error.get('Code')}: {error.get('Message')}") from None
    except BotoCoreError as exc:
        where = endpoint_url or "AWS"
        raise TableforgeError(f"cannot use DynamoDB at {where}: {exc}") from None


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
