"""`tableforge summary cdk.out`: what was synthesized, per system and stage.

It reads the templates, not the catalog, so it shows what `cdk deploy` would
create: tables through the read model (tableforge/model.py), plus each group's
alarm count (cdk_constructs/ops_summary.py), monthly estimate and budget
(cost/summary_ext.py), with a warning for an estimate over its budget.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import dataclass, field

from cdk_constructs.ops_summary import add_alarm_counts
from cost.summary_ext import add_monthly_estimate
from tableforge.assembly import StackTemplate, read_assembly
from tableforge.model import Capacity, Intrinsic, TableModel


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
    #: Extra "label: value" facts: the monthly estimate, the alarm count.
    extra: dict[str, str] = field(default_factory=dict)
    #: Lines shown under the group's header: the budget beside the estimate.
    lines: list[str] = field(default_factory=list)
    #: Printed after every group: e.g. an estimate over its budget.
    warnings: list[str] = field(default_factory=list)


def _units(capacity: Capacity | None) -> str:
    """``5`` for fixed units, ``5-25`` for autoscaled ones (the range it scales in)."""
    if capacity is None:
        return "None"
    return f"{capacity.min}-{capacity.max}" if capacity.autoscaled else str(capacity.min)


def table_row(table: TableModel) -> TableRow:
    if table.provisioned:
        replica = table.replicas[0] if table.replicas else None
        billing_text = f"provisioned {_units(replica.read if replica else None)}R/{_units(table.write)}W"
    else:
        billing_text = "on-demand"
    name = table.table_name
    return TableRow(
        system=table.system or "?",
        stage=table.stage or "?",
        table=table.catalog_table or (str(name) if isinstance(name, str | Intrinsic) else "?"),
        billing=billing_text,
        gsis=len(table.gsis),
        ttl=table.ttl_attribute or "-",
        pitr=table.pitr_everywhere,
    )


def summarize(stacks: list[StackTemplate]) -> dict[tuple[str, str], SystemStage]:
    groups: dict[tuple[str, str], SystemStage] = {}
    for stack in stacks:
        for table in stack.table_models():
            row = table_row(table)
            key = (row.system, row.stage)
            groups.setdefault(key, SystemStage(row.system, row.stage)).tables.append(row)
    add_monthly_estimate(stacks, groups)
    add_alarm_counts(stacks, groups)
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
        lines.extend(f"  {line}" for line in group.lines)
        width = max(len(r.table) for r in rows)
        for row in sorted(rows, key=lambda r: r.table):
            lines.append(
                f"  {row.table:<{width}}  {row.billing:<24} GSIs {row.gsis}  TTL {row.ttl:<11} "
                f"PITR {'on' if row.pitr else 'OFF'}"
            )
    total = sum(len(g.tables) for g in groups.values())
    lines.append(f"total: {total} tables in {len(groups)} system/stage groups")
    lines.extend(w for key in sorted(groups, key=lambda k: (k[0], stage_order[k[1]])) for w in groups[key].warnings)
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
    # A shortcut for `tableforge summary`, through the CLI's one error boundary.
    import sys

    from tableforge.cli import main

    sys.exit(main(group="synth-summary", prog="python -m tableforge.summary"))
