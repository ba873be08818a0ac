"""Usage files: how much traffic and data each resource has, in Infracost's shape.

::

    version: 1
    resource_usage:
      auxeira/users:                      # system/table, or a logical ID
        monthly_read_request_units: 10000
        monthly_write_request_units: 1000
        storage_gb: 0.1
        indexes:
          email-index: {monthly_read_request_units: 500}

Every problem (an unknown key, a negative number, a name that matches no
resource, an index the table does not have) is a TableforgeError naming the
file, the item and the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from tableforge.catalog import load_yaml_unique
from tableforge.errors import TableforgeError

#: The default profiles, one per system: usage/<system>.yaml.
DEFAULT_USAGE_DIR = Path(__file__).resolve().parent.parent / "usage"

#: Infracost's aws_dynamodb_table keys (PRICING.md, "Usage file").
TABLE_KEYS = (
    "monthly_read_request_units",
    "monthly_write_request_units",
    "storage_gb",
    "pitr_backup_storage_gb",
    "on_demand_backup_storage_gb",
    "monthly_data_restored_gb",
    "monthly_streams_read_request_units",
)
INDEX_KEYS = ("monthly_read_request_units", "monthly_write_request_units", "storage_gb")
#: SNS topics: publishes (Infracost's aws_sns_topic key) and email deliveries.
TOPIC_KEYS = ("monthly_requests", "monthly_email_deliveries")
ALL_KEYS = frozenset(TABLE_KEYS + TOPIC_KEYS + ("indexes",))


@dataclass(frozen=True)
class ResourceUsage:
    """The usage of one resource_usage entry."""

    file: str
    name: str
    values: dict[str, Decimal] = field(default_factory=dict)
    indexes: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    def get(self, key: str) -> Decimal | None:
        return self.values.get(key)

    def error(self, message: str, *, field: str | None = None) -> TableforgeError:
        return TableforgeError(message, file=self.file, item=self.name, field=field)


@dataclass
class UsageFile:
    path: str
    entries: dict[str, ResourceUsage]
    #: For a default profile usage/<system>.yaml: the system it describes.
    system: str | None = None


def _number(value: Any, *, file: str, item: str, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TableforgeError(f"expected a number, got {value!r}", file=file, item=item, field=field)
    number = Decimal(str(value))
    if not number.is_finite():
        raise TableforgeError(f"expected a finite number, got {value!r}", file=file, item=item, field=field)
    if number < 0:
        raise TableforgeError(f"must not be negative, got {value!r}", file=file, item=item, field=field)
    return number


def _values(
    raw: dict[str, Any], allowed: Iterable[str], *, file: str, item: str, prefix: str = ""
) -> dict[str, Decimal]:
    allowed = tuple(allowed)
    out: dict[str, Decimal] = {}
    for key, value in raw.items():
        if key not in allowed:
            raise TableforgeError(
                f"unknown key; expected one of: {', '.join(allowed)}", file=file, item=item, field=prefix + str(key)
            )
        out[key] = _number(value, file=file, item=item, field=prefix + key)
    return out


def parse_usage(data: Any, *, path: str, system: str | None = None) -> UsageFile:
    if not isinstance(data, dict):
        raise TableforgeError("expected a mapping with version and resource_usage", file=path)
    unknown = set(data) - {"version", "resource_usage"}
    if unknown:
        raise TableforgeError("unknown top-level key", file=path, field=sorted(unknown)[0])
    if data.get("version") != 1:
        raise TableforgeError(f"expected version: 1, got {data.get('version')!r}", file=path, field="version")
    resource_usage = data.get("resource_usage") or {}
    if not isinstance(resource_usage, dict):
        raise TableforgeError("expected a mapping of resource names", file=path, field="resource_usage")
    entries: dict[str, ResourceUsage] = {}
    for name, raw in resource_usage.items():
        name = str(name)
        if not isinstance(raw, dict):
            raise TableforgeError("expected a mapping of usage keys", file=path, item=name)
        for key in raw:
            if key not in ALL_KEYS:
                raise TableforgeError(
                    f"unknown key; expected one of: {', '.join(sorted(ALL_KEYS))}", file=path, item=name, field=str(key)
                )
        plain = {k: v for k, v in raw.items() if k != "indexes"}
        values = _values(plain, TABLE_KEYS + TOPIC_KEYS, file=path, item=name)
        indexes: dict[str, dict[str, Decimal]] = {}
        raw_indexes = raw.get("indexes") or {}
        if not isinstance(raw_indexes, dict):
            raise TableforgeError("expected a mapping of index names", file=path, item=name, field="indexes")
        for index_name, index_raw in raw_indexes.items():
            where = f"indexes.{index_name}."
            if not isinstance(index_raw, dict):
                raise TableforgeError("expected a mapping of usage keys", file=path, item=name, field=where[:-1])
            indexes[str(index_name)] = _values(index_raw, INDEX_KEYS, file=path, item=name, prefix=where)
        entries[name] = ResourceUsage(file=path, name=name, values=values, indexes=indexes)
    return UsageFile(path=path, entries=entries, system=system)


def load_usage_file(path: Path | str, *, system: str | None = None) -> UsageFile:
    file = Path(path)
    if not file.is_file():
        raise TableforgeError("usage file not found", file=str(file))
    return parse_usage(load_yaml_unique(file, str(file)), path=str(file), system=system)


def load_usage_dir(directory: Path | str | None = None) -> list[UsageFile]:
    """The default profiles: every usage/<system>.yaml, tagged with its system."""
    root = Path(directory) if directory is not None else DEFAULT_USAGE_DIR
    if not root.is_dir():
        raise TableforgeError("usage directory not found", file=str(root))
    return [load_usage_file(p, system=p.stem) for p in sorted(root.glob("*.yaml"))]
