"""One live candidate of one catalog table: which action, and why.

Order of the checks: a candidate without a name, a read error, ownership by another
stack (its ``aws:cloudformation:stack-name`` tag, or the catalog's ``owner`` when tags
cannot be read), then the take-over itself: the same name and keys is an import, another
name is a migrate (with the catalog's key mapping if the keys differ).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adopt import external
from adopt.compare import gsi_conflicts, import_changes, key_mismatch
from adopt.keymap import KeyMapping
from adopt.live import LiveReadError, LiveState, read_live
from adopt.rows import BLOCKED, EXTERNAL, IMPORT, MANAGED, MIGRATE, Row
from tableforge.catalog import LiveTable, TableSpec
from tableforge.model import TableModel


@dataclass(frozen=True)
class Candidate:
    """What the decision needs about the catalog table and where it is synthesized."""

    stage: str
    system: str
    table: str
    spec: TableSpec
    model: TableModel
    physical_name: str
    stack: str
    stack_name: str
    #: Sizes above this many bytes get the export + ImportTable recommendation.
    large_bytes: int

    def row(self, entry: LiveTable, action: str, reason: str, **extra: Any) -> Row:
        return Row(
            system=self.system,
            table=self.table,
            physical_name=self.physical_name,
            live_name=entry.name,
            action=action,
            reason=reason,
            stack=self.stack,
            stack_name=self.stack_name,
            logical_id=self.model.logical_id,
            model=self.model,
            **extra,
        )


def decide(client: Any, candidate: Candidate, entry: LiveTable, index: int) -> Row | None:
    """The row for ``entry``, or None when the catalog names a table that does not exist."""
    where = f"live.{candidate.stage}[{index}]"
    if entry.name is None:
        return _unnamed(candidate, entry, where)
    try:
        live = read_live(client, entry.name)
    except LiveReadError as exc:
        return candidate.row(entry, BLOCKED, f"{exc}; the plan cannot tell what is live")
    if live is None:
        return None
    facts = {"live": live, "live_items": live.item_count, "live_bytes": live.size_bytes}
    action, reason, extra = take_over(candidate, entry, live)
    owner = live.owner_stack or (
        entry.owner_stack or entry.owner if entry.owner != "none" and live.tags is None else None
    )
    if owner == candidate.stack_name and entry.name == candidate.physical_name:
        return candidate.row(entry, MANAGED, f"already in {candidate.stack_name}; nothing to do", owner=owner, **facts)
    if owner is not None:
        text = external.reason(entry, live, owner, then=action, then_reason=reason)
        kind = BLOCKED if action == BLOCKED else EXTERNAL  # released or not, it could not proceed
        return candidate.row(entry, kind, text, owner=owner, then=action, **facts, **_keep(extra))
    return candidate.row(entry, action, reason + _unknown_note(live), **facts, **extra)


def take_over(candidate: Candidate, entry: LiveTable, live: LiveState) -> tuple[str, str, dict[str, Any]]:
    """(action, reason, row fields) for a live table nobody else owns."""
    if live.status != "ACTIVE":
        return BLOCKED, f"{live.name} is {live.status}; wait until it is ACTIVE", {}
    if entry.name == candidate.physical_name:
        return _import(candidate, live)
    return _migrate(candidate, entry, live)


def _import(candidate: Candidate, live: LiveState) -> tuple[str, str, dict[str, Any]]:
    model = candidate.model
    mismatch = key_mismatch(model, live)
    if mismatch:
        return (
            BLOCKED,
            (
                f"a live table already has our name but its {mismatch}: it cannot be imported (keys differ) "
                "and ours cannot be created beside it (same name); copy it to a new name (backup and restore), "
                "delete this one, then migrate from the copy with a key_map"
            ),
            {},
        )
    conflicts = gsi_conflicts(model, live)
    if conflicts:
        return BLOCKED, "; ".join(conflicts) + "; declare the index in the catalog or delete it first", {}
    if not model.is_global_table or len(model.replicas) != 1:
        return BLOCKED, "the stepped import supports single-region TableV2 (AWS::DynamoDB::GlobalTable) only", {}
    changes = import_changes(model, live)
    deploys = max((c.deploy for c in changes), default=1)
    return (
        IMPORT,
        (
            f"same name and keys ({live.key_schema()}); {live.item_count} items stay where they are. "
            f"cdk import with the live state, then {max(deploys, 1)} deploy(s) make the changes listed"
        ),
        {"changes": changes},
    )


def _migrate(candidate: Candidate, entry: LiveTable, live: LiveState) -> tuple[str, str, dict[str, Any]]:
    model, spec = candidate.model, candidate.spec
    if entry.key_map:
        mapping = KeyMapping.for_table(entry.key_map, spec)
        unused = mapping.unused_keys(k.name for k in live.keys.values())
        if unused:
            return (
                BLOCKED,
                (
                    f"the key mapping ({mapping.describe()}) ignores live key attribute(s) {unused}: two live "
                    "items could get one key; use every live key attribute"
                ),
                {"key_mapping": mapping.describe()},
            )
        how = f"items get new keys ({mapping.describe()}; live keys {live.key_schema()})"
        extra: dict[str, Any] = {"key_mapping": mapping.describe()}
    else:
        mismatch = key_mismatch(model, live)
        if mismatch:
            return (
                BLOCKED,
                (
                    f"the name differs and its {mismatch}; declare a key_map in the catalog's "
                    f"live.{candidate.stage} entry for {live.name}"
                ),
                {},
            )
        how, extra = f"same keys ({live.key_schema()})", {}
    reason = f"the name differs from {candidate.physical_name}, {how}: copy its {live.item_count} items"
    if live.size_bytes > candidate.large_bytes:
        extra["large"] = True
        reason += f"; at {live.size_bytes / 1e9:.1f} GB, use DynamoDB's export to S3 and ImportTable (steps)"
    return MIGRATE, reason, extra


def _unnamed(candidate: Candidate, entry: LiveTable, where: str) -> Row:
    if entry.owner != "none":
        return candidate.row(
            entry, EXTERNAL, external.unnamed_reason(entry, where), owner=entry.owner_stack or entry.owner
        )
    return candidate.row(
        entry,
        BLOCKED,
        f"the seed says a table is live here but not its name; set {where}.name (aws dynamodb list-tables) "
        "or remove the entry if it is not live",
    )


def _keep(extra: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in extra.items() if k in ("key_mapping", "large")}


def _unknown_note(live: LiveState) -> str:
    if not live.unknown:
        return ""
    return f" ({', '.join(sorted(live.unknown))} not readable here: see the changes)"
