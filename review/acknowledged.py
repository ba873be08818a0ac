"""``review/acknowledged.yaml``: blocking changes a reviewer accepted, each with a reason.

A blocking change is a destructive finding or a security change that grants a wildcard or
opens a role's trust beyond the account, on a protected stage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainValidator

from review.findings import Finding, SecurityChange
from tableforge.catalog.render import Where, validate
from tableforge.catalog.yamlload import load_yaml_unique
from tableforge.errors import TableforgeError

DEFAULT_PATH = Path(__file__).resolve().parent / "acknowledged.yaml"


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("required, a non-empty string")
    return value.strip()


#: A non-empty string, surrounding whitespace removed.
Text = Annotated[str, PlainValidator(_text)]


class Acknowledgement(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    stack: Text
    logical_id: Text
    reason: Text

    def covers(self, change: Finding | SecurityChange) -> bool:
        """A finding by either of its stacks (display name or stack name, before or after a move)
        and either logical ID; a security change by its stack and its role's or a policy's ID."""
        stacks: set[Any] = {change.stack, change.stack_name}
        logical_ids: set[Any] = {change.logical_id}
        if isinstance(change, SecurityChange):
            logical_ids |= {_policy_id(policy) for policy in change.policies}
        else:
            stacks |= {change.detail.get("new_stack"), change.detail.get("new_stack_name")}
            logical_ids.add(change.detail.get("new_logical_id"))
        return self.stack in stacks - {None, ""} and self.logical_id in logical_ids - {None, ""}


def _policy_id(label: str) -> str:
    """``RolePolicy1A2B/Inline`` or ``Role1A2B (trust)`` -> the resource's logical ID."""
    return label.split("/", 1)[0].split(" ", 1)[0]


class _AcknowledgementsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    shape_hint: ClassVar[str] = "one top-level key 'acknowledged' holding a list"

    #: ``acknowledged:`` with nothing after it is an empty list.
    acknowledged: Annotated[list[Acknowledgement], BeforeValidator(lambda v: [] if v is None else v)]


class Acknowledgements:
    def __init__(self, entries: list[Acknowledgement]) -> None:
        self.entries = entries
        self.used: set[int] = set()

    @classmethod
    def load(cls, path: Path | str | None) -> Acknowledgements:
        file = Path(path) if path is not None else DEFAULT_PATH
        display = str(file)
        if not file.is_file():
            if path is None:
                return cls([])
            raise TableforgeError("acknowledgements file not found", file=display)
        raw = load_yaml_unique(file, display, error=TableforgeError)
        if raw is None:
            return cls([])
        where = Where(file=display, items={"acknowledged": "acknowledged[{}]"})
        return cls(validate(_AcknowledgementsFile, raw, where, error=TableforgeError).acknowledged)

    def match(self, change: Finding | SecurityChange) -> Acknowledgement | None:
        for index, entry in enumerate(self.entries):
            if entry.covers(change):
                self.used.add(index)
                return entry
        return None

    def unused(self) -> list[dict[str, str]]:
        return [e.model_dump() for i, e in enumerate(self.entries) if i not in self.used]
