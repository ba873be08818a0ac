"""The plan's rows: one per catalog table and live candidate, with its action."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adopt.compare import Change
from adopt.live import LiveState
from tableforge.model import TableModel

CREATE, IMPORT, MIGRATE, EXTERNAL, BLOCKED = "create", "import", "migrate", "external", "blocked"
#: Beyond the issue's five: the live table is already in our own data stack.
MANAGED = "managed"
ACTIONS = (CREATE, IMPORT, MIGRATE, EXTERNAL, BLOCKED, MANAGED)


@dataclass
class Row:
    """One (catalog table, live table) pair of a stage. A table that merges two live
    tables has two rows, the import first; a table with nothing live has one, ``create``."""

    system: str
    table: str
    physical_name: str
    live_name: str | None
    action: str
    reason: str
    #: ``Prod/AuxeiraData``, the data stack's construct path, and its CloudFormation name.
    stack: str
    stack_name: str
    logical_id: str
    changes: list[Change] = field(default_factory=list)
    #: The stack that owns the live table, by its tag or the catalog's declaration.
    owner: str | None = None
    live_items: int | None = None
    live_bytes: int | None = None
    key_mapping: str | None = None
    #: Above the size for a client-side copy: the plan recommends export + ImportTable.
    large: bool = False
    #: For an external row: what follows once the owner has let go (import or migrate).
    then: str | None = None
    model: TableModel | None = field(default=None, repr=False)
    live: LiveState | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "table": self.table,
            "physical_name": self.physical_name,
            "live_name": self.live_name,
            "action": self.action,
            "changes": [c.as_dict() for c in self.changes],
            "reason": self.reason,
            "stack": self.stack,
            "logical_id": self.logical_id,
            "owner": self.owner,
            "live_items": self.live_items,
            "live_bytes": self.live_bytes,
            "key_mapping": self.key_mapping,
            "large": self.large,
            "then": self.then,
        }


@dataclass
class Plan:
    stage: str
    rows: list[Row]
    #: Data stack construct path -> the mapping ``cdk import --resource-mapping`` reads:
    #: template logical ID -> {"TableName": physical name}.
    resource_mapping: dict[str, dict[str, dict[str, str]]]
    steps: list[str] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return any(r.action == BLOCKED for r in self.rows)

    @property
    def exit_code(self) -> int:
        return 1 if self.blocked else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "tables": [r.as_dict() for r in self.rows],
            "resource_mapping": self.resource_mapping,
            "steps": self.steps,
        }
