"""`tableforge adopt plan`: every table of a stage against what is live. Read-only.

The tables come from the synthesized assembly (``read_assembly``; each table through
the read model), the live candidates from the catalog's ``live`` entries, plus the
table's own physical name: a table found under our name is a candidate even when the
catalog does not list it. Nothing here writes to DynamoDB.
"""

from __future__ import annotations

from typing import Any

from adopt.decide import Candidate, decide
from adopt.rows import BLOCKED, CREATE, IMPORT, Plan, Row
from adopt.steps import build_steps
from tableforge.assembly import StackTemplate
from tableforge.catalog import Catalog, LiveTable, Source
from tableforge.errors import TableforgeError
from tableforge.model import TableModel

#: Above this, a client-side copy is the wrong tool (README: "Large tables").
DEFAULT_LARGE_TABLE_GB = 10.0


def build_plan(
    client: Any,
    catalog: Catalog,
    stacks: list[StackTemplate],
    *,
    stage: str,
    large_table_gb: float = DEFAULT_LARGE_TABLE_GB,
    mapping_dir: str = "adopt-out",
    endpoint_url: str | None = None,
) -> Plan:
    data = [s for s in stacks if s.kind == "data" and s.stage_name == stage]
    if not data:
        raise TableforgeError(
            f"the assembly has no data stacks for stage '{stage}'; run `make synth` first (or synth with that stage)"
        )
    rows: list[Row] = []
    for stack in data:
        for model in stack.table_models():
            rows.extend(_table_rows(client, catalog, stack, model, stage, int(large_table_gb * 1e9)))
    plan = Plan(stage=stage, rows=rows, resource_mapping=_resource_mapping(rows))
    stage_stacks = [s for s in stacks if s.stage_name == stage]
    plan.steps = build_steps(plan, stacks=stage_stacks, mapping_dir=mapping_dir, endpoint_url=endpoint_url)
    return plan


def _table_rows(
    client: Any, catalog: Catalog, stack: StackTemplate, model: TableModel, stage: str, large_bytes: int
) -> list[Row]:
    system, table, physical = stack.system or "?", model.catalog_table or "?", model.table_name
    spec = catalog.systems[system].tables.get(table) if system in catalog.systems else None
    if spec is None or not isinstance(physical, str):
        return [_stale(stack, model, system, table)]
    candidate = Candidate(
        stage=stage,
        system=system,
        table=table,
        spec=spec,
        model=model,
        physical_name=physical,
        stack=stack.construct_path,
        stack_name=stack.stack_name,
        large_bytes=large_bytes,
    )
    rows: list[Row] = []
    declared = spec.live.get(stage, [])
    if physical not in {e.name for e in declared}:
        # Not in the catalog, but a table under our name is what makes the first deploy fail.
        ours = LiveTable(name=physical, source=[Source(doc="(not in the catalog)", section="the table's own name")])
        row = decide(client, candidate, ours, 0)
        if row is not None:
            row.reason = f"found under our own name, not in the catalog's live entries: {row.reason}"
            rows.append(row)
    missing = []
    for index, entry in enumerate(declared):
        row = decide(client, candidate, entry, index)
        if row is None:
            missing.append(entry.name)
        else:
            rows.append(row)
    if not rows:
        return [_create(candidate, missing)]
    if missing:
        rows[0].reason += f"; also listed, but not live here: {', '.join(str(m) for m in missing)}"
    return rows


def _create(candidate: Candidate, missing: list[str | None]) -> Row:
    reason = f"nothing is live under {candidate.physical_name}"
    if missing:
        reason += f"; the catalog names {', '.join(str(m) for m in missing)}, which does not exist here"
    return candidate.row(LiveTable(name=None, source=[Source(doc="-", section="-")]), CREATE, reason)


def _stale(stack: StackTemplate, model: TableModel, system: str, table: str) -> Row:
    return Row(
        system=system,
        table=table,
        physical_name=str(model.table_name),
        live_name=None,
        action=BLOCKED,
        reason="the assembly's table is not in the catalog (or has no literal name); run `make synth` again",
        stack=stack.construct_path,
        stack_name=stack.stack_name,
        logical_id=model.logical_id,
        model=model,
    )


def _resource_mapping(rows: list[Row]) -> dict[str, dict[str, dict[str, str]]]:
    """Per data stack, what `cdk import --resource-mapping` reads: logical ID -> {"TableName": ...}."""
    mapping: dict[str, dict[str, dict[str, str]]] = {}
    for row in rows:
        if row.action == IMPORT:
            mapping.setdefault(row.stack, {})[row.logical_id] = {"TableName": row.physical_name}
    return mapping
