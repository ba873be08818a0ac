"""Pydantic's validation errors, rendered for people: one error naming file, item and field.

Works for any model. ``Where`` says which input the data came from (a file, a
context key, a stage) and which top-level collections hold the items a person
would look for ("table 'users'", "acknowledged[2]"); the rest of an error's
location is the field. Unknown keys get a "did you mean" hint from the model's
own field names; a value that should be a mapping says what the model expects
(its ``shape_hint`` class variable, else its fields when there are few).

Rules that pydantic cannot express go in validators; one that names a field
other than where it runs (a model validator checking two fields) raises
``FieldError`` with that field.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from tableforge.errors import CatalogError, TableforgeError

Loc = Sequence[str | int]
M = TypeVar("M", bound=BaseModel)


class FieldError(ValueError):
    """A rule's failure naming its field, relative to the validator's location."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class Locator(Protocol):
    def locate(self, loc: Loc) -> tuple[str | None, str | None, list[str | int]]:
        """(file, item, the field's path) of one error location."""
        ...


@dataclass(frozen=True)
class Where:
    """The input a model's data came from, and which of its top-level collections hold items."""

    #: The file (or context key) the data came from.
    file: str | None = None
    #: The item when no collection names one: "monitoring", "stage 'dev'".
    item: str | None = None
    #: Top-level collection field -> label of one entry, e.g. {"tables": "table '{}'"}.
    items: Mapping[str, str] = field(default_factory=dict)

    def locate(self, loc: Loc) -> tuple[str | None, str | None, list[str | int]]:
        if len(loc) >= 2 and isinstance(loc[0], str) and loc[0] in self.items:
            return self.file, self.items[loc[0]].format(loc[1]), list(loc[2:])
        return self.file, self.item, list(loc)


def validate(model: type[M], data: Any, where: Locator, *, error: type[TableforgeError] = CatalogError) -> M:
    """``model`` validated from ``data``; a bad input raises one ``error`` (no pydantic traceback)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise render_validation_error(exc, model, where, error=error) from None


def render_validation_error(
    exc: ValidationError,
    model: type[BaseModel],
    where: Locator,
    *,
    error: type[TableforgeError] = CatalogError,
) -> TableforgeError:
    """The first problem as ``error`` naming file, item and field; up to four more in '(also: ...)'."""
    messages = [_render_one(e, model, where) for e in exc.errors()]
    file, item, field_name, detail = messages[0]
    if len(messages) > 1:
        more = "; ".join(_also(m, file) for m in messages[1:5])
        detail = f"{detail} (also: {more})"
    return error(detail, file=file, item=item, field=field_name)


def _also(message: tuple[str | None, str | None, str | None, str], first_file: str | None) -> str:
    file, item, field_name, detail = message
    where = [
        p for p in (file if file != first_file else None, item, f"field '{field_name}'" if field_name else None) if p
    ]
    return f"{' '.join(where)}: {detail}" if where else detail


def _render_one(error: Any, model: type[BaseModel], where: Locator) -> tuple[str | None, str | None, str | None, str]:
    loc = list(error["loc"])
    file, item, path = where.locate(loc)
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, FieldError):
        path = [*path, cause.field]
    field_name = _dotted(path) or None
    kind = error["type"]
    if kind == "extra_forbidden":
        bad = str(loc[-1])
        allowed = _allowed_fields(model, loc[:-1])
        hint = difflib.get_close_matches(bad, allowed, n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else f"; allowed: {', '.join(sorted(allowed))}"
        return file, item, field_name, f"unknown key '{bad}'{suggestion}"
    if kind == "missing":
        return file, item, field_name, "required field is missing"
    if kind == "literal_error":
        return file, item, field_name, f"{error['msg']} (got {error.get('input')!r})"
    if kind == "value_error" and cause is not None:
        return file, item, field_name, str(cause)
    if kind == "model_type":
        shape = _shape(_annotation_at(model, loc))
        return file, item, field_name, f"expected {shape}, got {_kind(error.get('input'))}"
    if kind in _CONTAINERS:
        return file, item, field_name, f"expected {_CONTAINERS[kind]}, got {_kind(error.get('input'))}"
    return file, item, field_name, error["msg"]


_CONTAINERS = {"dict_type": "a mapping", "list_type": "a list", "tuple_type": "a list", "string_type": "a string"}


def _kind(value: Any) -> str:
    """What a YAML or JSON author wrote, in their words."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _shape(annotation: Any) -> str:
    """A model's own description of its input (``shape_hint``), else its fields when few."""
    if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return "a mapping"
    hint = getattr(annotation, "shape_hint", None)
    if isinstance(hint, str):
        return hint
    names = list(annotation.model_fields)
    if not names or len(names) > 4:
        return "a mapping"
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"a mapping with {listed}"


def _dotted(path: Sequence[Any]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _allowed_fields(model: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the model found by walking ``loc`` down from ``model``."""
    current = _annotation_at(model, loc)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _annotation_at(model: type[BaseModel], loc: Loc) -> Any:
    """The type that ``loc`` points at inside ``model`` (models, dicts, lists and tuples)."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if not isinstance(part, str) or part not in current.model_fields:
                return None
            current = current.model_fields[part].annotation
        elif typing.get_origin(current) in (dict, list, tuple, Mapping, Sequence):
            args = [a for a in typing.get_args(current) if a is not Ellipsis]
            current = args[-1] if args else None
    return _unwrap(current)


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [a for a in members if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = models[0] if models else members[0]
        else:
            return annotation
