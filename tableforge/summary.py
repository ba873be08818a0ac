"""`tableforge summary cdk.out`: what was synthesized, per system and stage.

It reads the templates, not the catalog, so it shows what `cdk deploy` would
create. Other tools add columns through SUMMARY_EXTENSIONS.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tableforge.assembly import StackTemplate, read_assembly, tag_value


@dataclass
class TableRow:
    system: str
    stage: str
    table: str
    billing: str
    gsis: int
    ttl: str
    pitr: bool


@dataclass
class SystemStage:
    system: str
    stage: str
    tables: list[TableRow] = field(default_factory=list)
    #: Extra "label: value" facts added by extensions (alarms, monthly cost).
    extra: dict[str, str] = field(default_factory=dict)


#: Callables that add facts to each (system, stage) group, given all stacks.
SUMMARY_EXTENSIONS: list[Callable[[list[StackTemplate], dict[tuple[str, str], SystemStage]], None]] = []


def table_row(resource: dict[str, Any]) -> TableRow:
    props = resource["Properties"]
    billing = props.get("BillingMode", "PROVISIONED")
    if billing == "PROVISIONED":
        replica = (props.get("Replicas") or [{}])[0]
        read = (replica.get("ReadProvisionedThroughputSettings") or {}).get("ReadCapacityUnits")
        if read is None:
            read = (props.get("ProvisionedThroughput") or {}).get("ReadCapacityUnits")
        write_settings = (props.get("WriteProvisionedThroughputSettings") or {}).get("WriteCapacityAutoScalingSettings")
        if write_settings:
            write = f"{write_settings['MinCapacity']}-{write_settings['MaxCapacity']}"
        else:
            write = str((props.get("ProvisionedThroughput") or {}).get("WriteCapacityUnits"))
        billing_text = f"provisioned {read}R/{write}W"
    else:
        billing_text = "on-demand"
    ttl = props.get("TimeToLiveSpecification") or {}
    pitr_specs = [r.get("PointInTimeRecoverySpecification") or {} for r in props.get("Replicas", [])]
    if "PointInTimeRecoverySpecification" in props:
        pitr_specs.append(props["PointInTimeRecoverySpecification"])
    return TableRow(
        system=tag_value(resource, "system") or "?",
        stage=tag_value(resource, "stage") or "?",
        table=tag_value(resource, "table") or props.get("TableName", "?"),
        billing=billing_text,
        gsis=len(props.get("GlobalSecondaryIndexes", [])),
        ttl=ttl.get("AttributeName", "-") if ttl.get("Enabled") else "-",
        pitr=bool(pitr_specs) and all(p.get("PointInTimeRecoveryEnabled") for p in pitr_specs),
    )


def _load_extensions() -> None:
    """Import the modules that register summary extensions (alarms, cost).

    Each tool appends to SUMMARY_EXTENSIONS when imported; a tool that is not
    installed simply adds nothing.
    """
    import importlib

    for module in EXTENSION_MODULES:
        importlib.import_module(module)


#: Modules whose import registers a summary extension.
EXTENSION_MODULES: list[str] = ["cost.summary_ext", "cdk_constructs.ops_summary"]


def summarize(stacks: list[StackTemplate]) -> dict[tuple[str, str], SystemStage]:
    _load_extensions()
    groups: dict[tuple[str, str], SystemStage] = {}
    for stack in stacks:
        for _, resource in stack.tables():
            row = table_row(resource)
            key = (row.system, row.stage)
            groups.setdefault(key, SystemStage(row.system, row.stage)).tables.append(row)
    for extension in SUMMARY_EXTENSIONS:
        extension(stacks, groups)
    return groups


def render(groups: dict[tuple[str, str], SystemStage]) -> str:
    lines: list[str] = []
    stage_order = defaultdict(lambda: 9, {"dev": 0, "staging": 1, "prod": 2})
    for key in sorted(groups, key=lambda k: (k[0], stage_order[k[1]])):
        group = groups[key]
        rows = group.tables
        billing: dict[str, int] = defaultdict(int)
        for row in rows:
            billing["provisioned" if row.billing.startswith("provisioned") else "on-demand"] += 1
        header = (
            f"{group.system} / {group.stage}: {len(rows)} tables "
            f"({billing['on-demand']} on-demand, {billing['provisioned']} provisioned), "
            f"{sum(r.gsis for r in rows)} GSIs, {sum(r.ttl != '-' for r in rows)} with TTL, "
            f"PITR on {sum(r.pitr for r in rows)}/{len(rows)}"
        )
        for label, value in group.extra.items():
            header += f", {label}: {value}"
        lines.append(header)
        width = max(len(r.table) for r in rows)
        for row in sorted(rows, key=lambda r: r.table):
            lines.append(
                f"  {row.table:<{width}}  {row.billing:<24} GSIs {row.gsis}  TTL {row.ttl:<11} "
                f"PITR {'on' if row.pitr else 'OFF'}"
            )
    total = sum(len(g.tables) for g in groups.values())
    lines.append(f"total: {total} tables in {len(groups)} system/stage groups")
    return "\n".join(lines)


def add_commands(parser: argparse.ArgumentParser) -> None:
    """``tableforge synth-summary [CDK_OUT]`` (alias ``summary``)."""
    parser.add_argument(
        "cdk_out", nargs="?", default="cdk.out", metavar="CDK_OUT", help="cloud assembly directory (default: cdk.out)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print(render(summarize(read_assembly(args.cdk_out))))
    return 0


if __name__ == "__main__":
    # A shortcut for `tableforge summary`. The CLI imports tableforge.summary, so extensions
    # register on that module's SUMMARY_EXTENSIONS, not on this __main__ copy's.
    import sys

    from tableforge.cli import main

    sys.exit(main(group="synth-summary", prog="python -m tableforge.summary"))
