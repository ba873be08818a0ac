"""``review/acknowledged.yaml``: destructive changes a reviewer accepted, each with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review.findings import Finding
from tableforge.catalog import load_yaml_unique
from tableforge.errors import TableforgeError

DEFAULT_PATH = Path(__file__).resolve().parent / "acknowledged.yaml"
_FIELDS = ("stack", "logical_id", "reason")


@dataclass(frozen=True)
class Acknowledgement:
    stack: str
    logical_id: str
    reason: str

    def covers(self, finding: Finding) -> bool:
        stacks = {finding.stack, finding.stack_name}
        logical_ids = {finding.logical_id, finding.detail.get("new_logical_id")}
        return self.stack in stacks and self.logical_id in logical_ids


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
        raw = load_yaml_unique(file, display)
        if raw is None:
            return cls([])
        if not isinstance(raw, dict) or set(raw) != {"acknowledged"}:
            raise TableforgeError("expected one top-level key 'acknowledged' holding a list", file=display)
        items = raw["acknowledged"] or []
        if not isinstance(items, list):
            raise TableforgeError("'acknowledged' must be a list", file=display, field="acknowledged")
        return cls([_entry(item, index, display) for index, item in enumerate(items)])

    def match(self, finding: Finding) -> Acknowledgement | None:
        for index, entry in enumerate(self.entries):
            if entry.covers(finding):
                self.used.add(index)
                return entry
        return None

    def unused(self) -> list[dict[str, str]]:
        return [vars(e) for i, e in enumerate(self.entries) if i not in self.used]


def _entry(item: Any, index: int, display: str) -> Acknowledgement:
    where = f"acknowledged[{index}]"
    if not isinstance(item, dict):
        raise TableforgeError("each entry is a mapping with stack, logical_id and reason", file=display, item=where)
    unknown = sorted(set(item) - set(_FIELDS))
    if unknown:
        raise TableforgeError(
            f"unknown key(s) {unknown}; expected {list(_FIELDS)}", file=display, item=where, field=unknown[0]
        )
    for field in _FIELDS:
        value = item.get(field)
        if not isinstance(value, str) or not value.strip():
            raise TableforgeError("required, a non-empty string", file=display, item=where, field=field)
    return Acknowledgement(item["stack"].strip(), item["logical_id"].strip(), item["reason"].strip())
