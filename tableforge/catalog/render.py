"""Pydantic's validation errors, rendered for people: one CatalogError naming file, item and field."""

from __future__ import annotations

import difflib
import typing
from typing import Annotated, Any

from pydantic import BaseModel, ValidationError

from tableforge.catalog.models import SystemCatalog
from tableforge.errors import CatalogError


def render_validation_error(exc: ValidationError, raw: Any, display: str) -> CatalogError:
    messages = [_render_one(error, raw) for error in exc.errors()]
    item, field, detail = messages[0]
    if len(messages) > 1:
        more = "; ".join(f"{i or 'catalog'} field '{f}': {d}" for i, f, d in messages[1:5])
        detail = f"{detail} (also: {more})"
    return CatalogError(detail, file=display, item=item, field=field)


def _render_one(error: Any, raw: Any) -> tuple[str | None, str, str]:
    loc = [str(part) if not isinstance(part, int) else part for part in error["loc"]]
    item = None
    path = loc
    if len(loc) >= 2 and loc[0] == "tables":
        item = f"table '{loc[1]}'"
        path = loc[2:]
    elif len(loc) >= 2 and loc[0] == "consumers":
        item = f"consumer '{loc[1]}'"
        path = loc[2:]
    field = _dotted(path) or (str(loc[-1]) if loc else "catalog")
    if error["type"] == "extra_forbidden":
        bad = str(loc[-1])
        allowed = _allowed_fields(SystemCatalog, loc[:-1])
        hint = difflib.get_close_matches(bad, allowed, n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else f"; allowed: {', '.join(sorted(allowed))}"
        return item, field, f"unknown key '{bad}'{suggestion}"
    if error["type"] == "missing":
        return item, field, "required field is missing"
    if error["type"] == "literal_error":
        return item, field, f"{error['msg']} (got {error.get('input')!r})"
    return item, field, error["msg"]


def _dotted(path: list[Any]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _allowed_fields(model: Any, loc: list[Any]) -> list[str]:
    """Field names of the model found by walking ``loc`` down from ``model``."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            current = current.model_fields[part].annotation
        elif typing.get_origin(current) in (dict, list):
            current = typing.get_args(current)[-1]
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            models = [a for a in typing.get_args(annotation) if a is not type(None)]
            model_args = [a for a in models if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = model_args[0] if model_args else models[0]
        else:
            return annotation
