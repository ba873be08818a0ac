"""The catalog's models: one system's tables and consumers, and the limits they obey.

Pydantic checks each field; the rules that span fields (billing, attribute types,
grants) are in ``rules.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# --- AWS limits and our naming rules -------------------------------------------------

#: DynamoDB's default quota of global secondary indexes per table.
MAX_GSIS_PER_TABLE = 20
#: DynamoDB table and index names: 3-255 characters of a-z, A-Z, 0-9, '_', '-', '.'.
DYNAMODB_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
#: Key attribute names may be at most 255 bytes (DynamoDB limit).
MAX_KEY_ATTRIBUTE_BYTES = 255
#: Our own catalog keys: kebab-case, so physical names look like auxeira-users-prod.
KEBAB_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
#: CloudFormation allows 200 outputs per template and each table publishes two
#: (name and ARN), so one data stack holds at most 100 tables. Resources (the
#: table plus two SSM parameters) stay far below 500 at that count.
MAX_TABLES_PER_STACK = 100
#: Without an explicit write_max, provisioned writes autoscale up to this times the minimum.
WRITE_MAX_FACTOR = 5
#: Context flags a table may be gated on; the default of each is False.
FEATURE_FLAGS = ("marketplace_enabled",)

AttrType = Literal["S", "N", "B"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Source(_Model):
    """Where in the seed documents a table (or index) comes from."""

    doc: Annotated[str, Field(min_length=1)]
    section: Annotated[str, Field(min_length=1)]


class KeyAttribute(_Model):
    name: Annotated[str, Field(min_length=1)]
    type: AttrType = "S"
    #: How the document builds the value, e.g. ``USER#{user_id}``. Documentation
    #: for people and for the seed validator; DynamoDB does not see it.
    pattern: str | None = None

    @field_validator("name")
    @classmethod
    def _short_enough(cls, value: str) -> str:
        if len(value.encode()) > MAX_KEY_ATTRIBUTE_BYTES:
            raise ValueError(f"key attribute names are at most {MAX_KEY_ATTRIBUTE_BYTES} bytes")
        return value


class Capacity(_Model):
    """Provisioned capacity of a GSI; defaults to the table's when omitted."""

    read: Annotated[int, Field(ge=1)]
    write: Annotated[int, Field(ge=1)]
    write_max: Annotated[int, Field(ge=1)] | None = None

    @property
    def autoscaling_max(self) -> int:
        return self.write_max or self.write * WRITE_MAX_FACTOR


class Gsi(_Model):
    name: str
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None = None
    #: ``all``, ``keys_only``, or a list of non-key attributes to include.
    projection: Literal["all", "keys_only"] | list[str] = "all"
    #: The access pattern this index serves, in the document's words.
    purpose: Annotated[str, Field(min_length=1)]
    capacity: Capacity | None = None

    @field_validator("name")
    @classmethod
    def _dynamodb_name(cls, value: str) -> str:
        if not DYNAMODB_NAME_RE.match(value):
            raise ValueError("index names must be 3-255 characters of letters, digits, '_', '-' or '.'")
        return value

    def key_attributes(self) -> list[KeyAttribute]:
        return [k for k in (self.partition_key, self.sort_key) if k is not None]


class Billing(_Model):
    mode: Literal["on_demand", "provisioned"]
    #: Provisioned read capacity units (fixed).
    read: Annotated[int, Field(ge=1)] | None = None
    #: Provisioned write capacity units: the autoscaling minimum, since TableV2
    #: requires autoscaled write capacity.
    write: Annotated[int, Field(ge=1)] | None = None
    #: Autoscaling maximum for writes; defaults to five times ``write``.
    write_max: Annotated[int, Field(ge=1)] | None = None


class TableSpec(_Model):
    description: Annotated[str, Field(min_length=1)]
    source: Annotated[list[Source], Field(min_length=1)]
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None = None
    billing: Billing
    gsis: list[Gsi] = []
    #: Name of the epoch-seconds attribute that DynamoDB's TTL deletes on.
    ttl: str | None = None
    table_class: Literal["standard", "standard_ia"] = "standard"
    stream: Literal["keys_only", "new_image", "old_image", "new_and_old_images"] | None = None
    #: Secure default is on; a spec may switch PITR off only explicitly.
    pitr: bool = True
    #: Which data stack of the system holds the table. Changing it moves the
    #: table to another stack, which replaces it, so it is never computed.
    stack: Annotated[int, Field(ge=0)] = 0
    #: Synthesize this table only when the context flag is true.
    enabled_by: Literal["marketplace_enabled"] | None = None

    def key_attributes(self) -> list[KeyAttribute]:
        return [k for k in (self.partition_key, self.sort_key) if k is not None]

    def attribute_types(self) -> dict[str, str]:
        """Every key attribute of the table and its GSIs, with its type."""
        types: dict[str, str] = {}
        for key in [*self.key_attributes(), *(k for g in self.gsis for k in g.key_attributes())]:
            types.setdefault(key.name, key.type)
        return types

    @property
    def provisioned(self) -> bool:
        return self.billing.mode == "provisioned"

    @property
    def write_max(self) -> int | None:
        if not self.provisioned or self.billing.write is None:
            return None
        return self.billing.write_max or self.billing.write * WRITE_MAX_FACTOR


# --- the access matrix ------------------------------------------------------------------

#: Data-plane item actions an access level expands to. Scan is never part of a
#: level: a grant asks for it with ``scan: true``. Control-plane actions
#: (CreateTable, DescribeTable, UpdateTable, ...) are never grantable.
READ_ACTIONS = ("GetItem", "BatchGetItem", "Query")
WRITE_ACTIONS = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem")
ACCESS_LEVELS: dict[str, tuple[str, ...]] = {
    "read": READ_ACTIONS,
    "write": WRITE_ACTIONS,
    "read-write": READ_ACTIONS + WRITE_ACTIONS,
}
#: What an explicit ``actions:`` list may name (DynamoDB item operations only).
ITEM_ACTIONS = (*READ_ACTIONS, *WRITE_ACTIONS, "ConditionCheckItem")
#: The actions that change items; used by the expiring-items rule.
MUTATING_ACTIONS = frozenset(WRITE_ACTIONS)
#: Principal tag keys: IAM allows 1-128 characters of these.
PRINCIPAL_TAG_RE = re.compile(r"^[A-Za-z0-9_.:/=+@-]{1,128}$")

AccessLevel = Literal["read", "write", "read-write"]
PrincipalKind = Literal["lambda", "ecs_task", "account"]


class Grant(_Model):
    """One table a consumer may use: an access level or an explicit action list."""

    table: str
    level: AccessLevel | None = None
    #: Explicit DynamoDB item actions, without the ``dynamodb:`` prefix.
    actions: list[str] | None = None
    #: GSIs the consumer queries; each gets Query on ``table/<t>/index/<name>``.
    indexes: list[str] = []
    #: Scan on the table (and on the listed indexes). Off unless the matrix says so.
    scan: bool = False
    #: Add a dynamodb:LeadingKeys condition keyed on the consumer's tenant tag.
    tenant_scoped: bool = False

    def item_actions(self) -> tuple[str, ...]:
        """Table-level actions, in a stable order (Scan last, when granted)."""
        base = ACCESS_LEVELS[self.level] if self.level else tuple(self.actions or ())
        return base + (("Scan",) if self.scan else ())

    def index_actions(self) -> tuple[str, ...]:
        return ("Query", "Scan") if self.scan else ("Query",)


class TenantScope(_Model):
    """How a tenant-scoped consumer's tenant is identified at request time."""

    #: The session tag holding the tenant's key value (e.g. ``user_id``).
    principal_tag: str

    @field_validator("principal_tag")
    @classmethod
    def _tag_key(cls, value: str) -> str:
        if not PRINCIPAL_TAG_RE.match(value):
            raise ValueError("tag keys are 1-128 characters of letters, digits and _.:/=+@-")
        return value


class ConsumerSpec(_Model):
    """A service or person that uses a system's tables, and exactly what it may do."""

    description: Annotated[str, Field(min_length=1)]
    source: Annotated[list[Source], Field(min_length=1)]
    #: Who assumes the role: a Lambda function, an ECS task, or people in the account.
    principal: PrincipalKind
    #: Set for tenant-scoped consumers (002's user-scoped partition keys).
    tenant: TenantScope | None = None
    #: Synthesize this consumer only when the context flag is true.
    enabled_by: Literal["marketplace_enabled"] | None = None
    #: The consumer writes only items that carry a TTL (003's synthetic rows):
    #: every table it may write must have ``ttl``.
    writes_expiring_items: bool = False
    access: Annotated[list[Grant], Field(min_length=1)]


#: For a system whose catalog sets no budget (a new or generated one): 000's
#: platform-wide "monthly costs under $50", so no system is unbudgeted.
DEFAULT_BUDGET_USD = 50.0


class Budget(_Model):
    """A system's monthly COST budget in USD, with optional per-stage amounts."""

    shape_hint: ClassVar[str] = "a mapping with monthly_usd and optional stages"

    monthly_usd: Annotated[float, Field(gt=0)]
    #: Stage name -> that stage's amount, where it differs from monthly_usd.
    stages: dict[str, Annotated[float, Field(gt=0)]] = {}

    def for_stage(self, stage: str) -> float:
        return self.stages.get(stage, self.monthly_usd)


class SystemCatalog(_Model):
    shape_hint: ClassVar[str] = "a mapping with system, description and tables"

    system: str
    description: Annotated[str, Field(min_length=1)]
    #: The monthly budget the seed documents give this system; DEFAULT_BUDGET_USD without one.
    budget: Budget | None = None
    tables: Annotated[dict[str, TableSpec], Field(min_length=1)]
    #: The access matrix: consumer name -> its grants (see issue 4).
    consumers: dict[str, ConsumerSpec] = {}

    @field_validator("system")
    @classmethod
    def _kebab(cls, value: str) -> str:
        if not KEBAB_RE.match(value):
            raise ValueError("system names are kebab-case: lower-case letters, digits and '-'")
        return value


class Catalog:
    """The validated catalogs of every system, with feature flags applied."""

    def __init__(
        self, systems: Mapping[str, SystemCatalog], paths: Mapping[str, Path], flags: Mapping[str, bool]
    ) -> None:
        self.systems = dict(systems)
        self.paths = dict(paths)
        self.flags = dict(flags)

    def tables(self, system: str) -> dict[str, TableSpec]:
        """The tables of ``system`` that the current flags enable, in catalog order."""
        return {
            name: spec
            for name, spec in self.systems[system].tables.items()
            if spec.enabled_by is None or self.flags.get(spec.enabled_by, False)
        }

    def budget_usd(self, system: str, stage: str) -> float:
        """The monthly budget of ``system`` in ``stage``: the stage's override, else the system's amount."""
        budget = self.systems[system].budget
        return budget.for_stage(stage) if budget else DEFAULT_BUDGET_USD

    def consumers(self, system: str) -> dict[str, ConsumerSpec]:
        """The consumers of ``system`` that the current flags enable, in catalog order."""
        return {
            name: spec
            for name, spec in self.systems[system].consumers.items()
            if spec.enabled_by is None or self.flags.get(spec.enabled_by, False)
        }


_PLACEHOLDER_RE = re.compile(r"\{[^{}]+\}")


def leading_key_template(spec: TableSpec) -> str | None:
    """The partition key value with its one placeholder as ``{}``: ``USER#{}``, or ``{}``."""
    pattern = spec.partition_key.pattern
    if pattern is None:
        return "{}"
    if len(_PLACEHOLDER_RE.findall(pattern)) != 1:
        return None
    return _PLACEHOLDER_RE.sub("{}", pattern)
