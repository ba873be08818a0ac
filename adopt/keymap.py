"""A catalog key mapping applied to live items: new key values built from their attributes.

``{PK: "USER#{user_id}", SK: PROFILE}`` sets PK to ``USER#`` plus the item's ``user_id``
and SK to ``PROFILE``; every other attribute, ``user_id`` included, is copied unchanged.
A value that is one placeholder, ``{id}``, copies that attribute and converts it to the
key's type (a number to its digits for a string key, a numeric string to a number).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from tableforge.catalog import TableSpec, key_map_placeholders

_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")


class KeyMapError(Exception):
    """A live item the mapping cannot turn into a key."""


@dataclass(frozen=True)
class KeyMapping:
    #: Target key attribute -> its value template.
    targets: dict[str, str]
    #: Target key attribute -> its type in the catalog (S, N or B).
    types: dict[str, str]
    #: The target table's key attributes; those the mapping does not set are copied.
    key_names: tuple[str, ...]

    @classmethod
    def for_table(cls, key_map: Mapping[str, str], spec: TableSpec) -> KeyMapping:
        types = spec.attribute_types()
        keys = tuple(k.name for k in spec.key_attributes())
        return cls(targets=dict(key_map), types={t: types[t] for t in key_map}, key_names=keys)

    def describe(self) -> str:
        return ", ".join(f"{target} = {template}" for target, template in self.targets.items())

    def sources(self) -> set[str]:
        """The live attributes the mapping reads."""
        return {name for template in self.targets.values() for name in key_map_placeholders(template)}

    def unused_keys(self, live_key_names: Iterable[str]) -> list[str]:
        """Live key attributes the mapping ignores: two live items could then get one key."""
        used = self.sources()
        return [name for name in live_key_names if name not in used and name not in self.passthrough()]

    def passthrough(self) -> set[str]:
        """Target keys the mapping does not set: the item's own attribute of that name."""
        return set(self.key_names) - set(self.targets)

    def apply(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """The item with its new key values; raises KeyMapError naming the attribute."""
        out = dict(item)
        for target, template in self.targets.items():
            out[target] = self._value(template, self.types[target], item)
        return out

    def _value(self, template: str, key_type: str, item: Mapping[str, Any]) -> Any:
        names = key_map_placeholders(template)
        if len(names) == 1 and template == "{" + names[0] + "}":
            return _convert(_get(item, names[0]), key_type, names[0])
        return _PLACEHOLDER_RE.sub(lambda m: _text(_get(item, m.group(1)), m.group(1)), template)


def _get(item: Mapping[str, Any], name: str) -> Any:
    if name not in item:
        raise KeyMapError(f"attribute '{name}' is missing")
    return item[name]


def _text(value: Any, name: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    raise KeyMapError(f"attribute '{name}' is {type(value).__name__}; keys are built from strings and numbers")


def _convert(value: Any, key_type: str, name: str) -> Any:
    if key_type == "S":
        return _text(value, name)
    if key_type == "N":
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return value
        try:
            return Decimal(str(value)) if isinstance(value, str) else _bad(value, name)
        except InvalidOperation:
            raise KeyMapError(f"attribute '{name}' = {value!r} is not a number") from None
    if isinstance(value, (bytes, bytearray)) or hasattr(value, "value"):
        return value
    return _bad(value, name)


def _bad(value: Any, name: str) -> Any:
    raise KeyMapError(f"attribute '{name}' is {type(value).__name__}, which this key cannot hold")
