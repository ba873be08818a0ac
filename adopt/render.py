"""The plan and a migration's result as text (for people) and JSON (for tools)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from adopt.migrate import MigrationResult
from adopt.rows import ACTIONS, Plan


def plan_json(plan: Plan) -> str:
    return json.dumps(plan.as_dict(), indent=2, default=str)


def plan_text(plan: Plan) -> str:
    lines = [f"adopt plan, stage {plan.stage}"]
    stack = None
    for row in plan.rows:
        if row.stack != stack:
            stack = row.stack
            lines += ["", f"{row.system} ({stack})"]
        live = row.live_name or "-"
        lines.append(f"  {row.table:<28} {row.action:<9} {live:<36} {row.reason}")
        for change in row.changes:
            when = "import" if change.deploy == 0 else f"deploy {change.deploy}"
            lines.append(f"      {when:<9} {change.risk:<6} {change.change:<28} {change.detail}")
    counts = Counter(r.action for r in plan.rows)
    lines += ["", "summary: " + ", ".join(f"{counts[a]} {a}" for a in ACTIONS if counts[a])]
    if plan.resource_mapping:
        lines.append("resource mapping (cdk import --resource-mapping, keyed by logical ID):")
        for path, mapping in plan.resource_mapping.items():
            lines.append(f"  {path}: {json.dumps(mapping)}")
    lines.append("steps:")
    lines += [f"  {number:>2}. {step}" for number, step in enumerate(plan.steps, start=1)]
    if plan.blocked:
        lines.append(f"{counts['blocked']} row(s) blocked: resolve them (see their reasons) and plan again")
    return "\n".join(lines)


def migration_json(result: MigrationResult, request: dict[str, Any]) -> str:
    return json.dumps({**request, **result.as_dict()}, indent=2, default=str)


def migration_text(result: MigrationResult, request: dict[str, Any]) -> str:
    mapping = request.get("key_mapping")
    head = f"migrate {result.source} -> {result.target} (stage {request['stage']}"
    lines = [head + (f", key mapping {mapping})" if mapping else ", keys unchanged)")]
    if result.resumed:
        lines.append(f"  resumed from {result.checkpoint}: {result.skipped_pages} page(s) already copied")
    elif result.checkpoint_discarded:
        lines.append(f"  checkpoint not resumed ({result.checkpoint_discarded}): starting over")
    verb = "would write" if result.dry_run else "written"
    count = result.added + result.changed if result.dry_run else result.written
    lines.append(
        f"  {result.segments} segments: scanned {result.scanned}, {verb} {count}, unchanged {result.unchanged}, "
        f"conflicts {result.conflicts} in {result.seconds:.1f} s"
    )
    if not result.dry_run and result.written == 0 and result.conflicts == 0:
        lines.append("  written 0: every item was already in the target, equal")
    lines += [f"    {line}" for line in result.conflict_keys[:20]]
    if result.conflicts:
        lines.append("  conflicts: the target holds other values under these keys; kept (--overwrite replaces them)")
    for item in result.samples:
        lines.append(f"  sample: {json.dumps(item, default=str, sort_keys=True)}")
    lines.extend(_verification(result))
    return "\n".join(lines)


def _verification(result: MigrationResult) -> list[str]:
    check = result.verification
    if check is None:
        return []
    digest = f"content hash {check.source_hash:064x}"[:28]
    if check.ok:
        return [
            f"  verified: the source's {check.source_items} items are all in the target and equal "
            f"({digest}... on both sides); the target holds {check.target_total} items"
        ]
    lines = [
        f"  NOT verified: source {check.source_items} items; target has {check.target_found} of them, "
        f"{check.missing} missing, {check.different} different"
    ]
    return lines + [f"    {sample}" for sample in check.samples]
