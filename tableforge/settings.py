"""App settings read from CDK context (and CDK_DEFAULT_* for the environment)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tableforge.catalog import FEATURE_FLAGS
from tableforge.errors import TableforgeError
from tableforge.stages import StageConfig, select_stages

ContextGetter = Callable[[str], Any]


@dataclass(frozen=True, kw_only=True)
class AppSettings:
    catalog_dir: str
    stages: tuple[StageConfig, ...]
    flags: Mapping[str, bool]
    account: str | None
    region: str | None

    @classmethod
    def from_context(cls, get: ContextGetter, environ: Mapping[str, str] | None = None) -> AppSettings:
        """Context keys: catalog_dir, stages (comma list), account, region, and the feature flags.

        Account and region come from CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION (set by
        the CDK CLI) or from context; never from literals in code.
        """
        env = os.environ if environ is None else environ
        return cls(
            catalog_dir=str(get("catalog_dir") or "catalog"),
            stages=tuple(select_stages(_str(get("stages")), source="context 'stages'")),
            flags={flag: parse_bool(get(flag), f"context '{flag}'") for flag in FEATURE_FLAGS},
            account=_str(get("account")) or env.get("CDK_DEFAULT_ACCOUNT") or None,
            region=_str(get("region")) or env.get("CDK_DEFAULT_REGION") or None,
        )


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_bool(value: Any, where: str) -> bool:
    """Context values arrive as strings from ``-c`` and as booleans from cdk.json."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no", ""):
        return False
    raise TableforgeError(f"must be true or false, got {value!r}", item=where)
