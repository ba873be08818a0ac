"""``review/acknowledged.yaml``: destructive changes a reviewer accepted, each with a reason."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainValidator

from review.findings import Finding
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

    def covers(self, finding: Finding) -> bool:
        """By either of its stacks (display name or stack name, before or after a move) and either
        logical ID."""
        stacks = {
            finding.stack,
            finding.stack_name,
            finding.detail.get("new_stack"),
            finding.detail.get("new_stack_name"),
        }
        logical_ids = {finding.logical_id, finding.detail.get("new_logical_id")}
        return self.stack in stacks - {None, ""} and self.logical_id in logical_ids - {None, ""}


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

    def match(self, finding: Finding) -> Acknowledgement | None:
        for index, entry in enumerate(self.entries):
            if entry.covers(finding):
                self.used.add(index)
                return entry
        return None

    def unused(self) -> list[dict[str, str]]:
        return [e.model_dump() for i, e in enumerate(self.entries) if i not in self.used]
