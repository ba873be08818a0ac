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

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainValidator

from cost.text import read_utf8
from tableforge.catalog.render import Where, validate
from tableforge.catalog.yamlload import loads_yaml_unique
from tableforge.errors import TableforgeError

#: The default profiles, one per system: usage/<system>.yaml.
DEFAULT_USAGE_DIR = Path(__file__).resolve().parent.parent / "usage"


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    number = Decimal(str(value))
    if not number.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    if number < 0:
        raise ValueError(f"must not be negative, got {value!r}")
    return number


def _mapping(value: Any) -> Any:
    """An empty key (``indexes:``) is an empty mapping; names are strings, as written."""
    if value is None:
        return {}
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value


def _version_1(value: Any) -> int:
    if value != 1:
        raise ValueError(f"expected version: 1, got {value!r}")
    return 1


#: A usage figure: a finite number, at least 0, kept exact. Given as null it is an error.
Number = Annotated[Decimal | None, PlainValidator(_number)]


class _Usage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    shape_hint: ClassVar[str] = "a mapping of usage keys"


class IndexUsage(_Usage):
    """A GSI's usage (Infracost's aws_dynamodb_table index keys)."""

    monthly_read_request_units: Number = None
    monthly_write_request_units: Number = None
    storage_gb: Number = None


class TableUsage(IndexUsage):
    """Infracost's aws_dynamodb_table keys (PRICING.md, "Usage file")."""

    pitr_backup_storage_gb: Number = None
    on_demand_backup_storage_gb: Number = None
    monthly_data_restored_gb: Number = None
    monthly_streams_read_request_units: Number = None


class KeyUsage(_Usage):
    """KMS keys: requests to the key a month (SNS and DynamoDB call it to encrypt and decrypt)."""

    monthly_requests: Number = None


class TopicUsage(KeyUsage):
    """SNS topics: publishes (Infracost's aws_sns_topic key) and email deliveries."""

    monthly_email_deliveries: Number = None


class EntryUsage(TableUsage, TopicUsage):
    """One resource_usage entry: which keys apply depends on the resource it matches."""

    indexes: Annotated[dict[str, IndexUsage], BeforeValidator(_mapping)] = {}


class UsageDocument(_Usage):
    shape_hint: ClassVar[str] = "a mapping with version and resource_usage"

    version: Annotated[int, PlainValidator(_version_1)]
    resource_usage: Annotated[dict[str, EntryUsage], BeforeValidator(_mapping)] = {}


INDEX_KEYS = tuple(IndexUsage.model_fields)
TABLE_KEYS = tuple(TableUsage.model_fields)
TOPIC_KEYS = tuple(TopicUsage.model_fields)
KEY_KEYS = tuple(KeyUsage.model_fields)


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


def _given(usage: BaseModel, keys: tuple[str, ...]) -> dict[str, Decimal]:
    return {key: value for key in keys if (value := getattr(usage, key)) is not None}


def parse_usage(data: Any, *, path: str, system: str | None = None) -> UsageFile:
    """Validate a parsed usage file; errors name the file, the entry and the key."""
    document = validate(UsageDocument, data, Where(file=path, items={"resource_usage": "{}"}), error=TableforgeError)
    entries = {
        name: ResourceUsage(
            file=path,
            name=name,
            values=_given(entry, TABLE_KEYS + TOPIC_KEYS),
            indexes={index: _given(usage, INDEX_KEYS) for index, usage in entry.indexes.items()},
        )
        for name, entry in document.resource_usage.items()
    }
    return UsageFile(path=path, entries=entries, system=system)


def load_usage_file(path: Path | str, *, system: str | None = None) -> UsageFile:
    file = Path(path)
    if not file.is_file():
        raise TableforgeError("usage file not found", file=str(file))
    # Decoded here, so a byte that is not UTF-8 is an error line naming the file, not a traceback.
    text = read_utf8(file, str(file), what="usage file")
    return parse_usage(loads_yaml_unique(text, str(file), error=TableforgeError), path=str(file), system=system)


def load_usage_dir(directory: Path | str | None = None) -> list[UsageFile]:
    """The default profiles: every usage/<system>.yaml, tagged with its system."""
    root = Path(directory) if directory is not None else DEFAULT_USAGE_DIR
    if not root.is_dir():
        raise TableforgeError("usage directory not found", file=str(root))
    return [load_usage_file(p, system=p.stem) for p in sorted(root.glob("*.yaml"))]
