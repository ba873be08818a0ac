"""Compare two synthesized assemblies stack by stack and classify every change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from review.acknowledged import Acknowledgements
from review.cost_delta import cost_delta
from review.findings import Finding, Report
from review.iam import IAM_TYPES, index_readers, readers_of, roles_of
from review.refs import Resolver
from review.security import security_changes
from review.tables import RETAINING, TableDiff
from tableforge.assembly import TABLE_TYPES, StackTemplate, read_assembly, tag_value
from tableforge.errors import TableforgeError
from tableforge.stages import STAGES

#: Resources whose changes say nothing about the infrastructure.
IGNORED_TYPES = ("AWS::CDK::Metadata",)
#: Resource keys that do not reach CloudFormation's resource (CDK paths and the like).
IGNORED_KEYS = ("Metadata",)
_BY_CONSTRUCT_ID = {config.construct_id: config for config in STAGES.values()}


def stage_name(stack: StackTemplate) -> str | None:
    config = _BY_CONSTRUCT_ID.get(stack.stage or "")
    return config.name if config else (stack.stage.lower() if stack.stage else None)


def is_protected(stage: str | None) -> bool:
    """Protected per the stage config; a stack outside a known stage counts as protected (fail safe)."""
    config = STAGES.get(stage or "")
    return config.protected if config else True


def _select(stacks: list[StackTemplate], stage: str | None) -> dict[str, StackTemplate]:
    return {s.display_name: s for s in stacks if stage is None or stage_name(s) == stage}


def _normalize_stage(stage: str | None) -> str | None:
    if stage is None:
        return None
    for config in STAGES.values():
        if stage.lower() in (config.name, config.construct_id.lower()):
            return config.name
    raise TableforgeError(f"unknown stage '{stage}'; known stages: {', '.join(STAGES)}", field="--stage")


def _identity(resource: dict[str, Any]) -> str | None:
    """What makes two table resources the same table: its physical name, else its catalog tags."""
    name = resource.get("Properties", {}).get("TableName")
    if isinstance(name, str):
        return "name:" + name
    tags = [tag_value(resource, key) or "" for key in ("system", "table", "stage")]
    return "tags:" + "/".join(tags) if all(tags) else None


def _strip(resource: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in resource.items() if k not in IGNORED_KEYS}, sort_keys=True)


class AssemblyDiff:
    def __init__(self, base_dir: Path, head_dir: Path, stage: str | None) -> None:
        self.stage = _normalize_stage(stage)
        base_all, head_all = read_assembly(base_dir), read_assembly(head_dir)
        self.base = _select(base_all, self.stage)
        self.head = _select(head_all, self.stage)
        self.base_resolver, self.head_resolver = Resolver(base_all), Resolver(head_all)
        self.base_roles = roles_of(self.base.values(), self.base_resolver)
        self.head_roles = roles_of(self.head.values(), self.head_resolver)
        head_readers = index_readers(self.head_roles.values())
        base_readers = index_readers(self.base_roles.values())
        self.head_readers = lambda table, index: readers_of(head_readers, table, index)
        self.base_readers = lambda table, index: readers_of(base_readers, table, index)
        self.findings: list[Finding] = []

    def finding(
        self,
        level: str,
        change: str,
        stack: StackTemplate,
        logical_id: str,
        resource: dict[str, Any],
        reason: str,
        detail: dict[str, Any] | None = None,
    ) -> None:
        self.findings.append(
            Finding(
                level=level,  # type: ignore[arg-type]
                change=change,
                stack=stack.display_name,
                stage=stage_name(stack),
                logical_id=logical_id,
                resource_type=str(resource.get("Type")),
                table=tag_value(resource, "table") if resource.get("Type") in TABLE_TYPES else None,
                reason=reason,
                stack_name=stack.stack_name,
                detail=detail or {},
            )
        )

    def run(self) -> list[Finding]:
        removed_tables: list[tuple[StackTemplate, str, dict[str, Any]]] = []
        added_tables: list[tuple[StackTemplate, str, dict[str, Any]]] = []
        for name in sorted(set(self.base) | set(self.head)):
            base, head = self.base.get(name), self.head.get(name)
            base_res = {k: v for k, v in (base.resources() if base else []) if v.get("Type") not in IGNORED_TYPES}
            head_res = {k: v for k, v in (head.resources() if head else []) if v.get("Type") not in IGNORED_TYPES}
            for logical_id in sorted(set(base_res) - set(head_res)):
                assert base is not None
                if base_res[logical_id].get("Type") in TABLE_TYPES:
                    removed_tables.append((base, logical_id, base_res[logical_id]))
                else:
                    self._removed(base, logical_id, base_res[logical_id], stack_gone=head is None)
            for logical_id in sorted(set(head_res) - set(base_res)):
                assert head is not None
                if head_res[logical_id].get("Type") in TABLE_TYPES:
                    added_tables.append((head, logical_id, head_res[logical_id]))
                else:
                    self.finding(
                        "safe",
                        "resource-added",
                        head,
                        logical_id,
                        head_res[logical_id],
                        f"new {head_res[logical_id].get('Type')}",
                    )
            for logical_id in sorted(set(base_res) & set(head_res)):
                assert base is not None and head is not None
                self._changed(base, head, logical_id, base_res[logical_id], head_res[logical_id])
        self._tables_moved_or_gone(removed_tables, added_tables)
        return self.findings

    def _removed(self, stack: StackTemplate, logical_id: str, resource: dict[str, Any], *, stack_gone: bool) -> None:
        kind = str(resource.get("Type"))
        where = " (its whole stack is gone from the head)" if stack_gone else ""
        if kind == "AWS::KMS::Key" and resource.get("DeletionPolicy") not in RETAINING:
            self.finding(
                "risky",
                "kms-key-removed",
                stack,
                logical_id,
                resource,
                f"KMS key removed{where}: CloudFormation schedules it for deletion, after which every "
                "table and backup encrypted with it is unreadable",
            )
        else:
            self.finding("safe", "resource-removed", stack, logical_id, resource, f"{kind} removed{where}")

    def _changed(
        self, base: StackTemplate, head: StackTemplate, logical_id: str, before: dict[str, Any], after: dict[str, Any]
    ) -> None:
        if _strip(before) == _strip(after):
            return
        if before.get("Type") in TABLE_TYPES or after.get("Type") in TABLE_TYPES:
            if before.get("Type") in TABLE_TYPES and after.get("Type") in TABLE_TYPES:
                for hit in TableDiff(before, after, self.head_readers, self.base_readers).run():
                    self.finding(hit.level, hit.change, head, logical_id, after, hit.reason, hit.detail)
                return
            self.finding(
                "destructive",
                "resource-type-changed",
                base,
                logical_id,
                before,
                f"resource type {before.get('Type')} -> {after.get('Type')}: the table is deleted with "
                "every item and another kind of resource takes its logical ID",
            )
            return
        keys = sorted(k for k in set(before) | set(after) if k not in IGNORED_KEYS and before.get(k) != after.get(k))
        props_b, props_a = before.get("Properties", {}), after.get("Properties", {})
        changed = sorted(k for k in set(props_b) | set(props_a) if props_b.get(k) != props_a.get(k))
        what = ", ".join(changed) if changed else ", ".join(keys)
        note = " (see Security)" if after.get("Type") in IAM_TYPES else ""
        if before.get("Type") != after.get("Type"):
            self.finding(
                "safe",
                "resource-type-changed",
                head,
                logical_id,
                after,
                f"resource type {before.get('Type')} -> {after.get('Type')}: replaced",
            )
        elif changed and set(changed) <= {"Tags"}:
            self.finding("safe", "tags-changed", head, logical_id, after, "tags only: applied in place")
        else:
            self.finding(
                "safe", "resource-changed", head, logical_id, after, f"changed: {what}{note}", {"properties": changed}
            )

    def _tables_moved_or_gone(
        self,
        removed: list[tuple[StackTemplate, str, dict[str, Any]]],
        added: list[tuple[StackTemplate, str, dict[str, Any]]],
    ) -> None:
        by_identity: dict[str, tuple[StackTemplate, str, dict[str, Any]]] = {}
        for entry in added:
            identity = _identity(entry[2])
            if identity:
                by_identity.setdefault(identity, entry)
        paired: set[int] = set()
        for stack, logical_id, resource in removed:
            identity = _identity(resource)
            match = by_identity.get(identity) if identity else None
            if match is not None and id(match) not in paired:
                paired.add(id(match))
                self._renamed(stack, logical_id, resource, *match)
            else:
                self._table_removed(stack, logical_id, resource, stack_gone=stack.display_name not in self.head)
        for entry in added:
            if id(entry) not in paired:
                stack, logical_id, resource = entry
                name = resource.get("Properties", {}).get("TableName", "(generated name)")
                self.finding("safe", "table-added", stack, logical_id, resource, f"new table {name}: created empty")

    def _renamed(
        self,
        stack: StackTemplate,
        logical_id: str,
        resource: dict[str, Any],
        new_stack: StackTemplate,
        new_id: str,
        new_resource: dict[str, Any],
    ) -> None:
        name = resource.get("Properties", {}).get("TableName", "(generated name)")
        moved = (
            f" and stack {stack.display_name} -> {new_stack.display_name}"
            if new_stack.display_name != stack.display_name
            else ""
        )
        retained = resource.get("DeletionPolicy") in RETAINING
        fate = (
            "orphans the old table (Retain: the items stay in a table nothing manages)"
            if retained
            else "deletes the old table with every item"
        )
        same_name = name == new_resource.get("Properties", {}).get("TableName")
        clash = (
            f"; because both carry the name {name}, the create fails while the old table exists" if same_name else ""
        )
        before_after = ""
        change = "logical-id-changed"
        if resource.get("Type") != new_resource.get("Type"):
            change = "resource-type-changed"
            before_after = f"resource type {resource.get('Type')} -> {new_resource.get('Type')} with "
        self.finding(
            "destructive",
            change,
            stack,
            logical_id,
            resource,
            f"{before_after}logical ID {logical_id} -> {new_id}{moved}: CloudFormation sees a new "
            f"resource and a removed one, so it creates {new_id} as a new, empty table and {fate}; no item is "
            f"copied{clash}",
            {"new_stack": new_stack.display_name, "new_logical_id": new_id},
        )

    def _table_removed(
        self, stack: StackTemplate, logical_id: str, resource: dict[str, Any], *, stack_gone: bool
    ) -> None:
        name = resource.get("Properties", {}).get("TableName", "(generated name)")
        if stack_gone:
            # cdk deploy leaves a stack that left the app alone; destroying or pruning it is what deletes.
            where = "its whole stack is gone from the app; destroying or pruning that stack"
        else:
            where = "it is no longer in the template"
        if resource.get("DeletionPolicy") in RETAINING:
            why = (
                "with DeletionPolicy Retain CloudFormation orphans it: the items survive in a table nothing "
                "manages, backs up or alarms on any more, and recreating it under the same name fails"
            )
        else:
            why = "CloudFormation deletes the table and every item in it"
            settings = [resource.get("Properties", {})] + resource.get("Properties", {}).get("Replicas", [])
            if any(s.get("DeletionProtectionEnabled") for s in settings):
                why += " (deletion protection makes that deploy fail, but the change as written deletes the data)"
        self.finding(
            "destructive", "table-removed", stack, logical_id, resource, f"table {name} removed ({where}): {why}"
        )


def review(
    base_dir: Path | str,
    head_dir: Path | str,
    *,
    stage: str | None = None,
    acknowledged: Path | str | None = None,
    with_cost: bool = True,
) -> Report:
    """The whole report: findings, security changes, cost delta, acknowledgements applied."""
    base_dir, head_dir = Path(base_dir), Path(head_dir)
    diff = AssemblyDiff(base_dir, head_dir, stage)
    findings = diff.run()
    order = {"destructive": 0, "risky": 1, "safe": 2}
    findings.sort(key=lambda f: (order[f.level], f.stack, f.logical_id, f.change))
    acks = Acknowledgements.load(acknowledged)
    for finding in findings:
        if finding.level != "destructive":
            continue
        ack = acks.match(finding)
        if ack is not None:
            finding.acknowledged, finding.acknowledgement = True, ack.reason
        finding.blocking = is_protected(finding.stage) and not finding.acknowledged
    security = security_changes(diff.base_roles, diff.head_roles, stage_of=stage_name)
    delta = (
        cost_delta(base_dir, head_dir, diff.stage)
        if with_cost
        else {"available": False, "note": "cost delta not requested"}
    )
    return Report(
        base=str(base_dir),
        head=str(head_dir),
        stage=diff.stage,
        findings=findings,
        security=security,
        cost_delta=delta,
        unused_acknowledgements=acks.unused(),
    )
