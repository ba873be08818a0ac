"""The catalog's rules that span fields, checked after pydantic has validated each one.

Each failure is one CatalogError naming the file, the table or consumer, and the field.
"""

from __future__ import annotations

import difflib
import typing

from tableforge.catalog.models import (
    DYNAMODB_NAME_RE,
    ITEM_ACTIONS,
    KEBAB_RE,
    MAX_GSIS_PER_TABLE,
    MAX_TABLES_PER_STACK,
    MUTATING_ACTIONS,
    ConsumerSpec,
    Grant,
    KeyAttribute,
    SystemCatalog,
    TableSpec,
    key_map_placeholders,
    leading_key_template,
)
from tableforge.errors import CatalogError


def check_tables(catalog: SystemCatalog, display: str) -> None:
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


def check_consumers(catalog: SystemCatalog, display: str) -> None:
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
