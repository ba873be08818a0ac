"""App settings read from CDK context (and CDK_DEFAULT_* for the environment).

Validated like every other input: a bad context value is one error naming the
context key (``context 'marketplace_enabled': must be true or false, got 'maybe'``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from tableforge.catalog import FEATURE_FLAGS
from tableforge.catalog.render import Loc, validate
from tableforge.errors import TableforgeError
from tableforge.stages import StageConfig, select_stages

ContextGetter = Callable[[str], Any]


def _flag(value: Any) -> bool:
    """Context values arrive as strings from ``-c`` and as booleans from cdk.json; unset is False."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no", ""):
        return False
    raise ValueError(f"must be true or false, got {value!r}")


def _stages(value: Any) -> Any:
    """Context ``stages``: stage names separated by commas; every stage when unset."""
    if value is None or isinstance(value, str):
        return tuple(select_stages(value, source="context 'stages'"))
    if isinstance(value, Sequence) and all(isinstance(stage, StageConfig) for stage in value):
        return tuple(value)
    raise ValueError(f"expected stage names separated by commas, got {value!r}")


Flag = Annotated[bool, BeforeValidator(_flag)]


class _ContextKeys:
    """Each setting is one context key; a flag's is its name under ``flags``."""

    def locate(self, loc: Loc) -> tuple[str | None, str | None, list[str | int]]:
        parts = list(loc)
        if parts[:1] == ["flags"]:
            parts = parts[1:]
        if not parts:
            return "context", None, []
        return f"context '{parts[0]}'", None, parts[1:]


class AppSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    catalog_dir: str = "catalog"
    stages: Annotated[tuple[StageConfig, ...], BeforeValidator(_stages)]
    flags: dict[str, Flag]
    account: str | None = None
    region: str | None = None

    @classmethod
    def from_context(cls, get: ContextGetter, environ: Mapping[str, str] | None = None) -> AppSettings:
        """Context keys: catalog_dir, stages (comma list), account, region, and the feature flags.

        Account and region come from CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION (set by
        the CDK CLI) or from context; never from literals in code.
        """
        env = os.environ if environ is None else environ
        context = {
            "catalog_dir": get("catalog_dir") or "catalog",
            "stages": get("stages"),
            "flags": {flag: get(flag) for flag in FEATURE_FLAGS},
            "account": get("account") or env.get("CDK_DEFAULT_ACCOUNT") or None,
            "region": get("region") or env.get("CDK_DEFAULT_REGION") or None,
        }
        return validate(cls, context, _ContextKeys(), error=TableforgeError)


def parse_bool(value: Any, where: str) -> bool:
    """A flag's value from anywhere else (``--flag name=value``); ``where`` names it in the error."""
    try:
        return _flag(value)
    except ValueError as exc:
        raise TableforgeError(str(exc), item=where) from None
