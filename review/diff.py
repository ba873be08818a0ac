"""Compare two synthesized assemblies stack by stack and classify every change."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review.acknowledged import Acknowledgements
from review.cost_delta import cost_delta
from review.findings import Finding, Report
from review.iam import IAM_TYPES, index_readers, readers_of, roles_of, stream_readers
from review.refs import Resolver
from review.security import security_changes
from review.tables import RETAINING, TableDiff
from tableforge.assembly import StackTemplate, read_assembly
from tableforge.errors import TableforgeError
from tableforge.model import Intrinsic, TableModel
from tableforge.stages import STAGES

#: Resources whose changes say nothing about the infrastructure.
IGNORED_TYPES = ("AWS::CDK::Metadata",)
#: Resource keys that do not reach CloudFormation's resource (CDK paths and the like).
IGNORED_KEYS = ("Metadata",)
_BY_CONSTRUCT_ID = {config.construct_id: config for config in STAGES.values()}


def stage_name(stack: StackTemplate) -> str | None:
    """The stack's stage as the app wrote it into the template metadata at synth.

    A review compares a base commit's assembly, which may have been synthesized before
    stacks carried that metadata: then the stage's construct ID (``Prod``) says it.
    """
    if stack.stage_name is not None:
        return stack.stage_name
    config = _BY_CONSTRUCT_ID.get(stack.stage or "")
    return config.name if config else (stack.stage.lower() if stack.stage else None)


def is_protected(stage: str | None) -> bool:
    """Protected per the stage config; a stack outside a known stage counts as protected (fail safe)."""
    config = STAGES.get(stage or "")
    return config.protected if config else True


#: Findings about a stack itself (its name, path, termination protection) carry this type.
STACK_TYPE = "AWS::CloudFormation::Stack"


def _select(stacks: list[StackTemplate], stage: str | None) -> dict[str, StackTemplate]:
    """The stacks by the key base and head are matched on: the CloudFormation stack name.

    CloudFormation knows a stack by its name (per account and region), not by its construct
    path, so a renamed stack is another stack and a moved construct with a fixed stackName is
    the same one. Two stacks of one assembly with the same name (other environments) are told
    apart by their account and region.
    """
    chosen = [s for s in stacks if stage is None or stage_name(s) == stage]
    names = Counter(s.stack_name for s in chosen)
    return {
        s.stack_name if names[s.stack_name] == 1 else f"{s.stack_name} in {s.account or '?'}/{s.region or '?'}": s
        for s in chosen
    }


def _normalize_stage(stage: str | None) -> str | None:
    if stage is None:
        return None
    for config in STAGES.values():
        if stage.lower() in (config.name, config.construct_id.lower()):
            return config.name
    raise TableforgeError(f"unknown stage '{stage}'; known stages: {', '.join(STAGES)}", field="--stage")


def _identity(table: TableModel) -> str | None:
    """What makes two table resources the same table: its physical name, else its catalog tags."""
    if isinstance(table.table_name, str):
        return "name:" + table.table_name
    tags = [table.tag(key) or "" for key in ("system", "table", "stage")]
    return "tags:" + "/".join(tags) if all(tags) else None


def _table_name(table: TableModel) -> Any:
    """The table's name as declared (an intrinsic shows as written), for the reasons."""
    name = table.table_name
    if name is None:
        return "(generated name)"
    return name.value if isinstance(name, Intrinsic) else name


@dataclass(frozen=True, eq=False)
class TableEntry:
    """A table that is only in the base or only in the head: its stack, raw resource and model."""

    #: The stack's key (its CloudFormation stack name), see :func:`_select`.
    key: str
    stack: StackTemplate
    resource: dict[str, Any]
    table: TableModel


def _strip(resource: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in resource.items() if k not in IGNORED_KEYS}, sort_keys=True)


def _missing_safeguards(table: TableModel) -> list[str]:
    """What a protected stage's tables have and this one lacks: deletion protection and
    point-in-time recovery on every replica, and a DeletionPolicy that keeps the table."""
    missing = []
    if not table.replicas or not all(r.deletion_protection for r in table.replicas):
        missing.append("deletion protection")
    if not table.pitr_everywhere:
        missing.append("point-in-time recovery")
    if table.deletion_policy not in RETAINING:
        missing.append(f"a retaining DeletionPolicy (it is {table.deletion_policy})")
    return missing


def _same_file(a: Path, b: Path) -> bool:
    """Most stacks of a change are untouched: comparing bytes is cheaper than comparing every resource."""
    return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


class AssemblyDiff:
    def __init__(self, base_dir: Path, head_dir: Path, stage: str | None) -> None:
        self.stage = _normalize_stage(stage)
        base_all, head_all = read_assembly(base_dir), read_assembly(head_dir)
        self.base = _select(base_all, self.stage)
        self.head = _select(head_all, self.stage)
        self.base_resolver, self.head_resolver = Resolver(base_all), Resolver(head_all)
        self.base_roles = roles_of(self.base, self.base_resolver)
        self.head_roles = roles_of(self.head, self.head_resolver)
        head_readers = index_readers(self.head_roles.values())
        base_readers = index_readers(self.base_roles.values())
        self.head_readers = lambda table, index: readers_of(head_readers, table, index)
        self.base_readers = lambda table, index: readers_of(base_readers, table, index)
        # Who reads a table's stream, across the whole assembly (consumers live in other stacks).
        every_head = self.head_roles if self.stage is None else roles_of(_select(head_all, None), self.head_resolver)
        every_base = self.base_roles if self.stage is None else roles_of(_select(base_all, None), self.base_resolver)
        self.head_stream_readers = stream_readers(every_head.values(), head_all, self.head_resolver)
        self.base_stream_readers = stream_readers(every_base.values(), base_all, self.base_resolver)
        self.findings: list[Finding] = []
        #: Base stack names whose stack is renamed in the head (same construct path).
        self.renamed: set[str] = set()

    def finding(
        self,
        level: str,
        change: str,
        stack: StackTemplate,
        logical_id: str,
        resource: dict[str, Any],
        reason: str,
        detail: dict[str, Any] | None = None,
        *,
        table: TableModel | None = None,
    ) -> None:
        """One finding; ``table`` is the model of the resource when it is a table."""
        self.findings.append(
            Finding(
                level=level,  # type: ignore[arg-type]
                change=change,
                stack=stack.display_name,
                stage=stage_name(stack),
                logical_id=logical_id,
                resource_type=str(resource.get("Type")),
                table=table.catalog_table if table is not None else None,
                reason=reason,
                stack_name=stack.stack_name,
                detail=detail or {},
            )
        )

    def stack_finding(self, level: str, change: str, stack: StackTemplate, reason: str, **detail: Any) -> None:
        """A finding about the stack itself; it has no logical ID."""
        self.finding(level, change, stack, "", {"Type": STACK_TYPE}, reason, detail or None)

    def run(self) -> list[Finding]:
        removed_tables: list[TableEntry] = []
        added_tables: list[TableEntry] = []
        self._stacks()
        for name in sorted(set(self.base) | set(self.head)):
            base, head = self.base.get(name), self.head.get(name)
            if base is not None and head is not None and _same_file(base.template_path, head.template_path):
                continue  # byte for byte the same template: no resource in it changed
            base_res = {k: v for k, v in (base.resources() if base else []) if v.get("Type") not in IGNORED_TYPES}
            head_res = {k: v for k, v in (head.resources() if head else []) if v.get("Type") not in IGNORED_TYPES}
            base_tables = {t.logical_id: t for t in base.table_models()} if base else {}
            head_tables = {t.logical_id: t for t in head.table_models()} if head else {}
            for logical_id in sorted(set(base_res) - set(head_res)):
                assert base is not None
                if logical_id in base_tables:
                    removed_tables.append(TableEntry(name, base, base_res[logical_id], base_tables[logical_id]))
                else:
                    self._removed(base, logical_id, base_res[logical_id], stack_gone=head is None)
            for logical_id in sorted(set(head_res) - set(base_res)):
                assert head is not None
                if logical_id in head_tables:
                    added_tables.append(TableEntry(name, head, head_res[logical_id], head_tables[logical_id]))
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
                self._changed(
                    base,
                    head,
                    logical_id,
                    base_res[logical_id],
                    head_res[logical_id],
                    base_tables.get(logical_id),
                    head_tables.get(logical_id),
                )
        self._tables_moved_or_gone(removed_tables, added_tables)
        return self.findings

    def _stacks(self) -> None:
        """What changes about the stacks themselves: name, construct path, termination protection."""
        head_by_path = {s.display_name: s for key, s in self.head.items() if key not in self.base}
        for key, base in sorted(self.base.items()):
            head = self.head.get(key)
            if head is None:
                renamed = head_by_path.get(base.display_name)
                if renamed is not None:
                    self._stack_renamed(base, renamed)
                continue
            if head.display_name != base.display_name:
                self.stack_finding(
                    "safe",
                    "stack-path-changed",
                    head,
                    f"construct path {base.display_name} -> {head.display_name} with the same stack name "
                    f"{head.stack_name}: CloudFormation updates the same stack in place (it knows stacks by "
                    f"name); only `cdk deploy` now takes {head.display_name}",
                    old_stack=base.display_name,
                )
            self._termination_protection(base, head)

    def _stack_renamed(self, base: StackTemplate, head: StackTemplate) -> None:
        self.renamed.add(base.stack_name)
        tables = [t.table_name for t in base.table_models() if isinstance(t.table_name, str)]
        fixed = tables + [
            name
            for _, resource in base.resources()
            if isinstance(name := _fixed_name(resource), str) and name not in tables
        ]
        clash = (
            f"; its {len(fixed)} fixed-name resource(s) ({len(tables)} table(s), e.g. {fixed[0]}) already exist "
            f"in {base.stack_name}, so creating {head.stack_name} fails on the first of them and rolls back"
            if fixed
            else ""
        )
        self.stack_finding(
            "risky",
            "stack-renamed",
            head,
            f"stack name {base.stack_name} -> {head.stack_name} ({head.display_name}): CloudFormation knows a "
            f"stack by its name, so the deploy creates a new stack {head.stack_name} and leaves "
            f"{base.stack_name} deployed with everything in it (cdk deploy never deletes a stack){clash}",
            old_stack_name=base.stack_name,
        )

    def _termination_protection(self, base: StackTemplate, head: StackTemplate) -> None:
        if base.termination_protection == head.termination_protection:
            return
        if head.termination_protection:
            self.stack_finding(
                "safe",
                "termination-protection-enabled",
                head,
                f"termination protection switched on for {head.stack_name}: CloudFormation refuses to delete "
                "the stack until it is switched off again",
            )
            return
        tables = head.table_models()
        deleted = [t for t in tables if t.deletion_policy not in RETAINING]
        fate = (
            f"; deleting it deletes {len(deleted)} of its {len(tables)} table(s) with every item "
            "(DeletionPolicy Delete) and orphans the rest"
            if deleted
            else f"; deleting it orphans its {len(tables)} table(s) (DeletionPolicy Retain)"
            if tables
            else ""
        )
        self.stack_finding(
            "risky",
            "termination-protection-disabled",
            head,
            f"termination protection switched off for {head.stack_name} (cdk deploy applies it: the CLI calls "
            "UpdateTerminationProtection to match the assembly): CloudFormation no longer refuses a stack "
            f"deletion (cdk destroy, a console or API DeleteStack){fate}",
        )

    def _removed(self, stack: StackTemplate, logical_id: str, resource: dict[str, Any], *, stack_gone: bool) -> None:
        kind = str(resource.get("Type"))
        where = " (its whole stack is gone from the head)" if stack_gone else ""
        if stack_gone and stack.stack_name in self.renamed:
            where = f" (its stack is renamed: {stack.stack_name} stays deployed with it)"
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
        self,
        base: StackTemplate,
        head: StackTemplate,
        logical_id: str,
        before: dict[str, Any],
        after: dict[str, Any],
        table_before: TableModel | None,
        table_after: TableModel | None,
    ) -> None:
        if _strip(before) == _strip(after):
            return
        if table_before is not None or table_after is not None:
            if table_before is not None and table_after is not None:
                diff = TableDiff(
                    table_before,
                    table_after,
                    self.head_readers,
                    self.base_readers,
                    self.head_stream_readers,
                    self.base_stream_readers,
                )
                for hit in diff.run():
                    self.finding(
                        hit.level, hit.change, head, logical_id, after, hit.reason, hit.detail, table=table_after
                    )
                return
            self.finding(
                "destructive",
                "resource-type-changed",
                base,
                logical_id,
                before,
                f"resource type {before.get('Type')} -> {after.get('Type')}: the table is deleted with "
                "every item and another kind of resource takes its logical ID",
                table=table_before,
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
        elif after.get("Type") == "AWS::KMS::Key" and self._key_no_longer_retained(head, logical_id, before, after):
            pass
        elif changed and set(changed) <= {"Tags"}:
            self.finding("safe", "tags-changed", head, logical_id, after, "tags only: applied in place")
        else:
            self.finding(
                "safe", "resource-changed", head, logical_id, after, f"changed: {what}{note}", {"properties": changed}
            )

    def _key_no_longer_retained(
        self, stack: StackTemplate, logical_id: str, before: dict[str, Any], after: dict[str, Any]
    ) -> bool:
        """A KMS key (the data stack's customer managed key) that stops being retained: risky."""
        found = False
        for policy in ("DeletionPolicy", "UpdateReplacePolicy"):
            old, new = before.get(policy, "Delete"), after.get(policy, "Delete")
            if old in RETAINING and new not in RETAINING:
                found = True
                self.finding(
                    "risky",
                    "removal-policy-not-retained",
                    stack,
                    logical_id,
                    after,
                    f"KMS key {policy} {old} -> {new}: removing the key from the app, replacing it or deleting "
                    "its stack now schedules the key for deletion, after which every table and backup encrypted "
                    "with it is unreadable",
                )
        return found

    def _tables_moved_or_gone(self, removed: list[TableEntry], added: list[TableEntry]) -> None:
        by_identity: dict[str, TableEntry] = {}
        for entry in added:
            identity = _identity(entry.table)
            if identity:
                by_identity.setdefault(identity, entry)
        paired: set[int] = set()
        for entry in removed:
            identity = _identity(entry.table)
            match = by_identity.get(identity) if identity else None
            if match is not None and id(match) not in paired:
                paired.add(id(match))
                self._renamed(entry, match)
            else:
                self._table_removed(entry, stack_gone=entry.key not in self.head)
        for entry in added:
            if id(entry) in paired:
                continue
            missing = _missing_safeguards(entry.table)
            stage = stage_name(entry.stack)
            if missing and is_protected(stage):
                self.finding(
                    "risky",
                    "table-added-unprotected",
                    entry.stack,
                    entry.table.logical_id,
                    entry.resource,
                    f"new table {_table_name(entry.table)} in the protected stage {stage} without "
                    f"{', '.join(missing)}: once it holds data, it has less than the stage's other tables "
                    "(switching either off on an existing table is reported as risky too)",
                    table=entry.table,
                )
            else:
                self.finding(
                    "safe",
                    "table-added",
                    entry.stack,
                    entry.table.logical_id,
                    entry.resource,
                    f"new table {_table_name(entry.table)}: created empty",
                    table=entry.table,
                )

    def _renamed(self, old: TableEntry, new: TableEntry) -> None:
        if old.key != new.key and old.table.type == new.table.type:
            self._moved(old, new)
            return
        stack, logical_id, table = old.stack, old.table.logical_id, old.table
        name = _table_name(table)
        moved = f" and stack {stack.stack_name} -> {new.stack.stack_name}" if new.key != old.key else ""
        retained = table.deletion_policy in RETAINING
        fate = (
            "orphans the old table (Retain: the items stay in a table nothing manages)"
            if retained
            else "deletes the old table with every item"
        )
        same_name = table.table_name is not None and table.table_name == new.table.table_name
        clash = (
            f"; because both carry the name {name}, the create fails while the old table exists" if same_name else ""
        )
        before_after = ""
        change = "logical-id-changed"
        if table.type != new.table.type:
            change = "resource-type-changed"
            before_after = f"resource type {table.type} -> {new.table.type} with "
        self.finding(
            "destructive",
            change,
            stack,
            logical_id,
            old.resource,
            f"{before_after}logical ID {logical_id} -> {new.table.logical_id}{moved}: CloudFormation sees a new "
            f"resource and a removed one, so it creates {new.table.logical_id} as a new, empty table and {fate}; "
            f"no item is copied{clash}",
            _moved_detail(new),
            table=table,
        )

    def _moved(self, old: TableEntry, new: TableEntry) -> None:
        """A table whose stack changed: CloudFormation cannot move a resource between stacks."""
        table, name = old.table, _table_name(old.table)
        ids = (
            f", logical ID {table.logical_id} -> {new.table.logical_id}"
            if table.logical_id != new.table.logical_id
            else ""
        )
        head = f"stack {old.stack.stack_name} -> {new.stack.stack_name} ({new.stack.display_name}){ids}"
        same_name = isinstance(table.table_name, str) and table.table_name == new.table.table_name
        if old.key not in self.head:
            # The old stack left the app (renamed): cdk deploy leaves it deployed, with the table.
            fate = (
                f"creating {name} in {new.stack.stack_name} fails because a table of that name already exists "
                f"(it still belongs to {old.stack.stack_name}): the deploy fails and rolls back, and "
                f"{old.stack.stack_name} is left behind with the table"
                if same_name
                else f"{new.stack.stack_name} creates a new, empty table {_table_name(new.table)} while "
                f"{old.stack.stack_name} keeps the old one with every item, which nothing in the app uses any more"
            )
        else:
            retained = table.deletion_policy in RETAINING
            gone = (
                "orphans it (Retain: the items stay in a table nothing manages)"
                if retained
                else "deletes it with every item"
            )
            fate = f"{old.stack.stack_name} no longer declares the table, so its update {gone}, and " + (
                f"creating {name} in {new.stack.stack_name} fails while a table of that name exists"
                if same_name
                else f"{new.stack.stack_name} creates a new, empty table"
            )
        self.finding(
            "destructive",
            "stack-changed",
            old.stack,
            table.logical_id,
            old.resource,
            f"table {name} moves {head}: CloudFormation knows a stack by its name and cannot move a resource "
            f"from one stack to another, so {fate}; no item is copied. To move a table keep it (Retain), remove "
            "it from the old stack, then import it into the new one (cdk import)",
            _moved_detail(new),
            table=table,
        )

    def _table_removed(self, entry: TableEntry, *, stack_gone: bool) -> None:
        table = entry.table
        if stack_gone:
            # cdk deploy leaves a stack that left the app alone; destroying or pruning it is what deletes.
            where = "its whole stack is gone from the app; destroying or pruning that stack"
        else:
            where = "it is no longer in the template"
        if table.deletion_policy in RETAINING:
            why = (
                "with DeletionPolicy Retain CloudFormation orphans it: the items survive in a table nothing "
                "manages, backs up or alarms on any more, and recreating it under the same name fails"
            )
        else:
            why = "CloudFormation deletes the table and every item in it"
            if any(replica.deletion_protection for replica in table.replicas):
                why += " (deletion protection makes that deploy fail, but the change as written deletes the data)"
        self.finding(
            "destructive",
            "table-removed",
            entry.stack,
            table.logical_id,
            entry.resource,
            f"table {_table_name(table)} removed ({where}): {why}",
            table=table,
        )


def _moved_detail(new: TableEntry) -> dict[str, Any]:
    """Where the table went: an acknowledgement may name the new stack (either name) or logical ID."""
    return {
        "new_stack": new.stack.display_name,
        "new_stack_name": new.stack.stack_name,
        "new_logical_id": new.table.logical_id,
    }


def _fixed_name(resource: dict[str, Any]) -> Any:
    """The physical name a resource declares (TableName, RoleName, Name...), if it is a literal."""
    props = resource.get("Properties") or {}
    kind = str(resource.get("Type", ""))
    service_name = kind.rsplit("::", 1)[-1] + "Name"
    for key in ("TableName", service_name, "Name", "AlarmName", "TopicName", "DashboardName"):
        value = props.get(key)
        if isinstance(value, str):
            return value
    return None


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
    # Wildcard grants and trust beyond the account block a protected stage like a destructive change.
    for change in security:
        if not change.opens:
            continue
        ack = acks.match(change)
        if ack is not None:
            change.acknowledged, change.acknowledgement = True, ack.reason
        change.blocking = is_protected(change.stage) and not change.acknowledged
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
