"""The security section: IAM statements added, removed or broadened, per role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from review.findings import SecurityChange
from review.iam import Atom, RoleStatements, beyond_account
from tableforge.assembly import StackTemplate
from tableforge.naming import SUB_PSEUDO, table_arn

#: The account part of an AWS managed policy's ARN.
_AWS_MANAGED_POLICY = ":iam::aws:policy/"

_TABLE_IN_ARN = ":table/"


def _table_of(resources: list[str]) -> str | None:
    names = {r.split(_TABLE_IN_ARN, 1)[1].split("/", 1)[0] for r in resources if _TABLE_IN_ARN in r}
    return ", ".join(sorted(names)) if names else None


def _entry(
    change: str,
    role: RoleStatements,
    atoms: list[Atom],
    reason: str,
    stage_of: Callable[[StackTemplate], str | None],
    policies: set[str],
    opening: list[Atom] | None = None,
) -> SecurityChange:
    """``opening``: the atoms whose wildcards and trust count as newly granted (default ``atoms``;
    none for a removal)."""
    actions = sorted({a.action for a in atoms})
    resources = sorted({a.resource for a in atoms})
    effects = sorted({a.effect for a in atoms})
    granted = (atoms if opening is None else opening) if change != "removed" else []
    return SecurityChange(
        change=change,  # type: ignore[arg-type]
        stack=role.stack.display_name,
        stage=stage_of(role.stack),
        logical_id=role.logical_id,
        role=role.name,
        policies=sorted(policies),
        effect="/".join(effects),
        actions=actions,
        resources=resources,
        wildcard=any(a.wildcard for a in atoms if a.effect == "Allow"),
        reason=reason,
        table=role.table or _table_of(resources),
        stack_name=role.stack.stack_name,
        wildcards=_wildcards(granted),
        open_trust=_open_trust(granted, role.stack.account),
    )


#: What every table ARN in the stack's own account and region starts with, left out of the report.
_ARN_PREFIX = table_arn("", **SUB_PSEUDO).removesuffix("table/")


def _short(resource: str) -> str:
    return resource.replace(_ARN_PREFIX, "") if resource else "(no resource)"


def _describe(atoms: list[Atom]) -> str:
    """``Allow dynamodb:getitem, dynamodb:query on table/x, table/x/index/y``: actions grouped by resources."""
    resources_of: dict[tuple[str, str, str], set[str]] = {}
    for atom in atoms:
        resources_of.setdefault((atom.effect, atom.action or "(no action)", atom.condition), set()).add(
            _short(atom.resource)
        )
    groups: dict[tuple[str, tuple[str, ...], str], list[str]] = {}
    for (effect, action, condition), resources in resources_of.items():
        groups.setdefault((effect, tuple(sorted(resources)), condition), []).append(action)
    parts = []
    for (effect, targets, condition), actions in sorted(groups.items()):
        when = f" when {condition}" if condition else ""
        parts.append(f"{effect} {', '.join(sorted(actions))} on {', '.join(targets)}{when}")
    return "; ".join(parts)


def _wildcards(atoms: list[Atom]) -> list[str]:
    """Allowed grants that match more than they name, and attached AWS managed policies (their
    statements are not in the template; AWS writes them for any account, on wildcard resources)."""
    found = {f"{a.action} on {_short(a.resource)}" for a in atoms if a.effect == "Allow" and a.wildcard}
    found |= {
        f"AWS managed policy {a.resource.split(_AWS_MANAGED_POLICY, 1)[1]}"
        for a in atoms
        if a.effect == "Attach" and _AWS_MANAGED_POLICY in a.resource
    }
    return sorted(found)


def _open_trust(atoms: list[Atom], account: str | None) -> list[str]:
    """Trust newly extended beyond the stack's account: who, and why that is outside it."""
    return sorted({f"{a.action} by {why}" for a in atoms if (why := beyond_account(a, account)) is not None})


def security_changes(
    base: dict[tuple[str, str], RoleStatements],
    head: dict[tuple[str, str], RoleStatements],
    *,
    stage_of: Callable[[StackTemplate], str | None],
) -> list[SecurityChange]:
    out: list[SecurityChange] = []
    for key in sorted(set(base) | set(head)):
        before, after = base.get(key), head.get(key)
        if after is not None and before is None:
            atoms = sorted(after.atoms, key=repr)
            wild = _wildcards(atoms)
            reason = f"new {after.kind} {after.name}: {_describe(atoms)}"
            if wild:
                reason += f". Wildcards: {'; '.join(wild)}"
            opened = _open_trust(atoms, after.stack.account)
            if opened:
                reason += f". {after.beyond.capitalize()}: {'; '.join(opened)}"
            out.append(_entry("added", after, atoms, reason, stage_of, _policies(after, atoms)))
            continue
        if before is not None and after is None:
            atoms = sorted(before.atoms, key=repr)
            out.append(
                _entry(
                    "removed",
                    before,
                    atoms,
                    f"{before.kind} {before.name} removed with all its statements",
                    stage_of,
                    _policies(before, atoms),
                )
            )
            continue
        assert before is not None and after is not None
        gained = sorted(set(after.atoms) - set(before.atoms), key=repr)
        lost = sorted(set(before.atoms) - set(after.atoms), key=repr)
        allow_gained = [a for a in gained if a.effect != "Deny"]
        # A grant the base already had without a condition is not new when a condition is added.
        unconditional = {(a.effect, a.action, a.resource) for a in before.atoms if not a.condition}
        fresh = [a for a in allow_gained if (a.effect, a.action, a.resource) not in unconditional]
        if allow_gained:
            old_actions = {a.action for a in before.atoms if a.effect == "Allow"}
            old_resources = {a.resource for a in before.atoms if a.effect == "Allow"}
            new_actions = sorted({a.action for a in allow_gained} - old_actions)
            new_resources = sorted({_short(r) for r in {a.resource for a in allow_gained} - old_resources})
            parts = []
            if new_actions:
                parts.append(f"new actions {', '.join(new_actions)}")
            if new_resources:
                parts.append(f"new resources {', '.join(new_resources)}")
            wild = _wildcards(fresh)
            if wild:
                parts.append(f"wildcards {'; '.join(wild)}")
            opened = _open_trust(fresh, after.stack.account)
            if opened:
                parts.append(f"{after.beyond}: {'; '.join(opened)}")
            if not parts:
                parts.append("existing actions on existing resources in new combinations or conditions")
            reason = f"{after.kind} {after.name} broadened: {'; '.join(parts)} ({_describe(allow_gained)})"
            out.append(
                _entry("broadened", after, allow_gained, reason, stage_of, _policies(after, allow_gained), fresh)
            )
        deny_gained = [a for a in gained if a.effect == "Deny"]
        if deny_gained:
            out.append(
                _entry(
                    "added",
                    after,
                    deny_gained,
                    f"{after.kind} {after.name} gains Deny: {_describe(deny_gained)}",
                    stage_of,
                    _policies(after, deny_gained),
                )
            )
        if lost:
            out.append(
                _entry(
                    "removed",
                    before,
                    lost,
                    f"{before.kind} {before.name} loses: {_describe(lost)}",
                    stage_of,
                    _policies(before, lost),
                )
            )
    return out


def _policies(role: RoleStatements, atoms: list[Atom]) -> set[str]:
    found: set[str] = set()
    for atom in atoms:
        found |= role.atoms.get(atom, set())
    return found


__all__: list[Any] = ["security_changes"]
