"""The table catalog: one YAML file per system, validated into typed models.

A catalog file looks like::

    system: transcription
    description: ...
    tables:
      users:
        description: ...
        source: [{doc: 004_....txt, section: "Database Schema / Users Table"}]
        partition_key: {name: user_id, type: S}
        billing: {mode: on_demand}
        gsis:
          - {name: email-index, partition_key: {name: email, type: S}}

Everything a later tool needs (keys, GSIs, TTL, billing, the seed document a
table comes from) is read from here; nothing else declares a table.
"""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tableforge.errors import CatalogError

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


# --- live tables a catalog table takes over (issue 12: `tableforge adopt`) ---------------

#: A key mapping placeholder, ``{attribute}`` of the live item.
_KEY_MAP_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")


class LiveTable(_Model):
    """A table that already runs and that this catalog table takes over.

    Metadata for ``tableforge adopt`` only: nothing is synthesized from it.
    """

    #: The live table's physical name, as the seed gives it; null when the seed says
    #: the table is live but not what it is called (the plan then says so).
    name: str | None
    #: Who manages it today: nobody (a script, the console), or another CloudFormation
    #: stack: Amplify's, the Serverless Framework's, or any other.
    owner: Literal["none", "amplify", "serverless", "cloudformation"] = "none"
    #: The owning stack's name, when known (its ``aws:cloudformation:stack-name`` tag).
    owner_stack: str | None = None
    #: New key values built from the live item's attributes, in the ``pattern`` syntax:
    #: ``{PK: "USER#{user_id}", SK: PROFILE}``. Empty: items keep their keys.
    key_map: dict[str, str] = {}
    source: Annotated[list[Source], Field(min_length=1)]


def key_map_placeholders(template: str) -> list[str]:
    """The live attributes a key mapping value reads; ValueError when it cannot be parsed."""
    if not template:
        raise ValueError("a key mapping value cannot be empty")
    if "|" in template:
        raise ValueError("a key mapping builds one value; '|' alternatives belong in key patterns")
    names = [match.group(1) for match in _KEY_MAP_PLACEHOLDER_RE.finditer(template)]
    rest = _KEY_MAP_PLACEHOLDER_RE.sub("", template)
    if "{" in rest or "}" in rest:
        raise ValueError(f"unbalanced '{{' or '}}' in '{template}'; a placeholder is {{attribute}}")
    if any(not name.strip() for name in names):
        raise ValueError(f"empty placeholder '{{}}' in '{template}'; name the live attribute")
    return names


def _check_live(spec: TableSpec, fail: typing.Callable[..., typing.NoReturn]) -> None:
    from tableforge.stages import STAGES  # here, so this block stays one piece

    keys = [k.name for k in spec.key_attributes()]
    for stage, entries in spec.live.items():
        if stage not in STAGES:
            fail(f"unknown stage '{stage}'; known stages: {', '.join(STAGES)}", f"live.{stage}")
        seen: set[str] = set()
        for index, entry in enumerate(entries):
            where = f"live.{stage}[{index}]"
            if entry.name is not None and not DYNAMODB_NAME_RE.match(entry.name):
                fail("table names are 3-255 characters of letters, digits, '_', '-' or '.'", f"{where}.name")
            if entry.name is not None and entry.name in seen:
                fail(f"live table '{entry.name}' is listed twice for stage '{stage}'", f"{where}.name")
            seen.add(entry.name or "")
            if entry.owner_stack is not None and entry.owner == "none":
                fail("owner_stack needs an owner (amplify, serverless or cloudformation)", f"{where}.owner_stack")
            for target, template in entry.key_map.items():
                if target not in keys:
                    fail(
                        f"'{target}' is not a key of the table (its keys: {', '.join(keys)}); "
                        "a key mapping sets key attributes only",
                        f"{where}.key_map.{target}",
                    )
                try:
                    placeholders = key_map_placeholders(template)
                except ValueError as exc:
                    fail(str(exc), f"{where}.key_map.{target}")
                if spec.attribute_types()[target] != "S" and template != f"{{{''.join(placeholders)}}}":
                    fail(
                        f"'{target}' is not a string key: its value is copied from one attribute, '{{attribute}}'",
                        f"{where}.key_map.{target}",
                    )


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
    #: Stage -> the live tables this table takes over, in order (import first).
    live: dict[str, list[LiveTable]] = {}

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
#: IAM role names are at most 64 characters.
MAX_ROLE_NAME = 64

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


class SystemCatalog(_Model):
    system: str
    description: Annotated[str, Field(min_length=1)]
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

    def consumers(self, system: str) -> dict[str, ConsumerSpec]:
        """The consumers of ``system`` that the current flags enable, in catalog order."""
        return {
            name: spec
            for name, spec in self.systems[system].consumers.items()
            if spec.enabled_by is None or self.flags.get(spec.enabled_by, False)
        }

    def all_tables(self) -> Iterable[tuple[str, str, TableSpec]]:
        for system in self.systems:
            for name, spec in self.tables(system).items():
                yield system, name, spec


# --- naming ------------------------------------------------------------------------


def physical_table_name(system: str, table: str, stage: str) -> str:
    """``<system>-<table>-<stage>``, as 001 names ``auxeira-users-prod``."""
    return f"{system}-{table}-{stage}"


def construct_id(name: str) -> str:
    """Stable PascalCase construct ID from a catalog key: user-startup-mapping -> UserStartupMapping."""
    return "".join(part.capitalize() for part in name.split("-"))


# --- loading -----------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys silently; a catalog must not."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise _DuplicateKey(key, seen[key] + 1, key_node.start_mark.line + 1)
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, first_line: int, line: int) -> None:
        super().__init__(key)
        self.key, self.first_line, self.line = key, first_line, line


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_unique_mapping,
)


def load_yaml_unique(path: Path, display: str) -> Any:
    """Parse YAML, rejecting duplicate keys; errors name the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"cannot read file: {exc.strerror}", file=display) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except _DuplicateKey as dup:
        raise CatalogError(
            f"duplicate key '{dup.key}' at line {dup.line} (first defined at line {dup.first_line})",
            file=display,
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CatalogError(f"invalid YAML{where}: {problem}", file=display) from None


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_system(path: Path) -> SystemCatalog:
    """Load and validate one ``catalog/<system>.yaml``."""
    display = _display(path)
    raw = load_yaml_unique(path, display)
    if not isinstance(raw, dict):
        raise CatalogError("a catalog file is a mapping with system, description and tables", file=display)
    try:
        catalog = SystemCatalog.model_validate(raw)
    except ValidationError as exc:
        raise _render_validation_error(exc, raw, display) from None
    if catalog.system != path.stem:
        raise CatalogError(
            f"system '{catalog.system}' must match the file name '{path.stem}'", file=display, field="system"
        )
    _check_rules(catalog, display)
    _check_consumers(catalog, display)
    return catalog


def load_catalog(
    catalog_dir: Path | str = "catalog",
    *,
    flags: Mapping[str, bool] | None = None,
    stage_names: Iterable[str] = ("dev", "staging", "prod"),
) -> Catalog:
    """Load every ``*.yaml`` in ``catalog_dir``, validated, before anything is synthesized."""
    directory = Path(catalog_dir)
    if not directory.is_dir():
        raise CatalogError("catalog directory not found", file=str(directory))
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogError("no *.yaml catalog files found", file=str(directory))
    flags = dict(flags or {})
    unknown = sorted(set(flags) - set(FEATURE_FLAGS))
    if unknown:
        raise CatalogError(f"unknown feature flag(s) {unknown}; known: {list(FEATURE_FLAGS)}")
    systems: dict[str, SystemCatalog] = {}
    paths: dict[str, Path] = {}
    for path in files:
        catalog = load_system(path)
        systems[catalog.system] = catalog
        paths[catalog.system] = path
        _check_physical_names(catalog, _display(path), stage_names)
        _check_role_names(catalog, _display(path), stage_names)
    return Catalog(systems, paths, {f: flags.get(f, False) for f in FEATURE_FLAGS})


# --- rules pydantic cannot express ---------------------------------------------------


def _check_rules(catalog: SystemCatalog, display: str) -> None:
    per_stack: dict[int, list[str]] = {}
    for name, spec in catalog.tables.items():
        item = f"table '{name}'"

        def fail(message: str, field: str, *, _item: str = item) -> typing.NoReturn:
            raise CatalogError(message, file=display, item=_item, field=field)

        if not KEBAB_RE.match(name):
            fail("table names are kebab-case: lower-case letters, digits and '-'", "tables")
        _check_billing(spec, fail)
        if len(spec.gsis) > MAX_GSIS_PER_TABLE:
            fail(
                f"{len(spec.gsis)} GSIs declared; DynamoDB allows at most {MAX_GSIS_PER_TABLE} per table",
                "gsis",
            )
        seen_gsi: set[str] = set()
        for index, gsi in enumerate(spec.gsis):
            if gsi.name in seen_gsi:
                fail(f"duplicate GSI name '{gsi.name}'", f"gsis[{index}].name")
            seen_gsi.add(gsi.name)
            if gsi.capacity is not None and not spec.provisioned:
                fail("GSI capacity is only for provisioned tables", f"gsis[{index}].capacity")
        if spec.ttl is not None and spec.ttl in {k.name for k in spec.key_attributes()}:
            fail(
                f"TTL attribute '{spec.ttl}' is a key attribute of the table; "
                "DynamoDB deletes items by TTL, so it cannot be part of the primary key",
                "ttl",
            )
        _check_attribute_types(spec, fail)
        _check_live(spec, fail)
        per_stack.setdefault(spec.stack, []).append(name)
    for stack, names in per_stack.items():
        if len(names) > MAX_TABLES_PER_STACK:
            raise CatalogError(
                f"stack {stack} holds {len(names)} tables; at most {MAX_TABLES_PER_STACK} fit in one "
                "stack (CloudFormation's 200 outputs, two per table). Give new tables a new "
                "'stack' number; never renumber existing ones, which would replace them.",
                file=display,
                item=f"table '{names[MAX_TABLES_PER_STACK]}'",
                field="stack",
            )


def _check_billing(spec: TableSpec, fail: typing.Callable[..., typing.NoReturn]) -> None:
    billing = spec.billing
    if spec.provisioned:
        if billing.read is None:
            fail("a provisioned table needs read capacity", "billing.read")
        if billing.write is None:
            fail("a provisioned table needs write capacity (the autoscaling minimum)", "billing.write")
        if billing.write_max is not None and billing.write_max < billing.write:
            fail(f"write_max {billing.write_max} is below write {billing.write}", "billing.write_max")
    else:
        for field in ("read", "write", "write_max"):
            if getattr(billing, field) is not None:
                fail("capacity is only for provisioned tables; on-demand tables scale by request", f"billing.{field}")


def _check_attribute_types(spec: TableSpec, fail: typing.Callable[..., typing.NoReturn]) -> None:
    seen: dict[str, tuple[str, str]] = {}
    uses: list[tuple[str, KeyAttribute]] = [("partition_key", spec.partition_key)]
    if spec.sort_key:
        uses.append(("sort_key", spec.sort_key))
    for index, gsi in enumerate(spec.gsis):
        uses.append((f"gsis[{index}].partition_key", gsi.partition_key))
        if gsi.sort_key:
            uses.append((f"gsis[{index}].sort_key", gsi.sort_key))
    for where, key in uses:
        if key.name in seen and seen[key.name][0] != key.type:
            first_type, first_where = seen[key.name]
            fail(
                f"attribute '{key.name}' is type {key.type} here but type {first_type} in {first_where}",
                f"{where}.type",
            )
        seen.setdefault(key.name, (key.type, where))
    if spec.ttl is not None and spec.ttl in seen and seen[spec.ttl][0] != "N":
        fail(
            f"TTL attribute '{spec.ttl}' holds epoch seconds (type N) but is type "
            f"{seen[spec.ttl][0]} in {seen[spec.ttl][1]}",
            "ttl",
        )


def _check_physical_names(catalog: SystemCatalog, display: str, stage_names: Iterable[str]) -> None:
    for name in catalog.tables:
        for stage in stage_names:
            physical = physical_table_name(catalog.system, name, stage)
            if not DYNAMODB_NAME_RE.match(physical):
                raise CatalogError(
                    f"physical name '{physical}' breaks DynamoDB's naming rules "
                    "(3-255 characters of letters, digits, '_', '-' or '.')",
                    file=display,
                    item=f"table '{name}'",
                    field="tables",
                )


# --- access matrix rules ----------------------------------------------------------------


def role_name(system: str, consumer: str, stage: str) -> str:
    """``<system>-<consumer>-<stage>``: the IAM role of one consumer in one stage."""
    return f"{system}-{consumer}-{stage}"


def _check_consumers(catalog: SystemCatalog, display: str) -> None:
    for name, consumer in catalog.consumers.items():

        def fail(message: str, field: str, *, _item: str = f"consumer '{name}'") -> typing.NoReturn:
            raise CatalogError(message, file=display, item=_item, field=field)

        if not KEBAB_RE.match(name):
            fail("consumer names are kebab-case: lower-case letters, digits and '-'", "consumers")
        seen: set[str] = set()
        for index, grant in enumerate(consumer.access):
            where = f"access[{index}]"
            if grant.table in seen:
                fail(f"table '{grant.table}' is granted twice; merge the grants", f"{where}.table")
            seen.add(grant.table)
            _check_grant(catalog, consumer, grant, where, fail)


def _check_grant(
    catalog: SystemCatalog,
    consumer: ConsumerSpec,
    grant: Grant,
    where: str,
    fail: typing.Callable[..., typing.NoReturn],
) -> None:
    spec = catalog.tables.get(grant.table)
    if spec is None:
        hint = difflib.get_close_matches(grant.table, list(catalog.tables), n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        fail(f"unknown table '{grant.table}'{suggestion}", f"{where}.table")
    if (grant.level is None) == (grant.actions is None):
        fail("give exactly one of 'level' (read, write, read-write) or 'actions'", f"{where}.level")
    for position, action in enumerate(grant.actions or []):
        if action == "Scan":
            fail("Scan is granted with 'scan: true', never in an action list", f"{where}.actions[{position}]")
        if action not in ITEM_ACTIONS:
            fail(
                f"'{action}' is not a DynamoDB item action; allowed: {', '.join(ITEM_ACTIONS)} "
                "(control-plane actions are never granted)",
                f"{where}.actions[{position}]",
            )
    index_names = {g.name for g in spec.gsis}
    for position, index_name in enumerate(grant.indexes):
        if index_name not in index_names:
            known = ", ".join(sorted(index_names)) or "none"
            fail(
                f"table '{grant.table}' has no index '{index_name}' (its indexes: {known})",
                f"{where}.indexes[{position}]",
            )
    if spec.enabled_by and consumer.enabled_by != spec.enabled_by:
        fail(
            f"table '{grant.table}' exists only when {spec.enabled_by} is true; "
            f"give the consumer 'enabled_by: {spec.enabled_by}'",
            f"{where}.table",
        )
    if grant.tenant_scoped:
        _check_tenant_grant(consumer, grant, spec, where, fail)
    if consumer.writes_expiring_items and spec.ttl is None and set(grant.item_actions()) & MUTATING_ACTIONS:
        fail(
            f"the consumer writes only expiring items, but table '{grant.table}' has no ttl",
            f"{where}.table",
        )


def _check_tenant_grant(
    consumer: ConsumerSpec, grant: Grant, spec: TableSpec, where: str, fail: typing.Callable[..., typing.NoReturn]
) -> None:
    if consumer.tenant is None:
        fail("tenant_scoped needs the consumer's 'tenant: {principal_tag: ...}'", f"{where}.tenant_scoped")
    # LeadingKeys matches the partition key of whatever is read: an index query
    # would compare the index's key, and a Scan has no leading key at all.
    if grant.scan:
        fail("a tenant-scoped grant cannot Scan: a Scan has no leading key to restrict", f"{where}.scan")
    if grant.indexes:
        fail("a tenant-scoped grant cannot query indexes: LeadingKeys would test the index key", f"{where}.indexes")
    if leading_key_template(spec) is None:
        fail(
            f"partition key pattern '{spec.partition_key.pattern}' of table '{grant.table}' "
            "needs exactly one {placeholder} to key on the tenant",
            f"{where}.tenant_scoped",
        )


_PLACEHOLDER_RE = re.compile(r"\{[^{}]+\}")


def leading_key_template(spec: TableSpec) -> str | None:
    """The partition key value with its one placeholder as ``{}``: ``USER#{}``, or ``{}``."""
    pattern = spec.partition_key.pattern
    if pattern is None:
        return "{}"
    if len(_PLACEHOLDER_RE.findall(pattern)) != 1:
        return None
    return _PLACEHOLDER_RE.sub("{}", pattern)


def _check_role_names(catalog: SystemCatalog, display: str, stage_names: Iterable[str]) -> None:
    for name in catalog.consumers:
        for stage in stage_names:
            role = role_name(catalog.system, name, stage)
            if len(role) > MAX_ROLE_NAME:
                raise CatalogError(
                    f"role name '{role}' is {len(role)} characters; IAM allows {MAX_ROLE_NAME}",
                    file=display,
                    item=f"consumer '{name}'",
                    field="consumers",
                )


# --- pydantic errors, rendered for people ----------------------------------------------


def _render_validation_error(exc: ValidationError, raw: Any, display: str) -> CatalogError:
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
