"""Resolve once, then build: a catalog table or consumer plus a stage, as resolved values.

Constructs, the access policies and the seed loader take a :class:`ResolvedTable`
(physical name, ARN, SSM parameter names, tags, on-demand caps, PITR) instead of
recombining catalog keys and stage names themselves. :func:`check_names` checks
every name the app will emit against its AWS limit before anything is built, so a
name the service would reject is one error line naming the catalog file, the table
or consumer, and the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tableforge import naming
from tableforge.errors import CatalogError

if TYPE_CHECKING:  # stages imports the catalog package, which checks names through this module
    from tableforge.catalog import ConsumerSpec
    from tableforge.stages import StageConfig


@dataclass(frozen=True, kw_only=True)
class ResolvedTable:
    """One catalog table in one stage, with everything derived from the pair."""

    system: str
    #: The catalog key, e.g. ``users``.
    table: str
    stage: str
    physical_name: str
    #: ``system``, ``table`` and ``stage``: also the cost-allocation tags budgets filter on.
    tags: dict[str, str]
    ssm_parameter_prefix: str
    #: ``label -> parameter name`` for the table's name and ARN parameters.
    ssm_parameters: dict[str, str]
    pitr: bool
    #: The recovery window when PITR is on, else None.
    pitr_recovery_days: int | None
    #: The stage's on-demand cost guard (None: uncapped); provisioned tables ignore it.
    max_read_request_units: int | None
    max_write_request_units: int | None

    def arn(self, *, partition: str, region: str, account: str) -> str:
        """The table's ARN in ``region`` (values may be CloudFormation tokens such as ``Aws.REGION``)."""
        return naming.table_arn(self.physical_name, partition=partition, region=region, account=account)

    def index_arn(self, index: str, *, partition: str, region: str, account: str) -> str:
        return f"{self.arn(partition=partition, region=region, account=account)}/index/{index}"


def resolve_table(system: str, table: str, stage: StageConfig, *, pitr: bool = True) -> ResolvedTable:
    """``pitr`` is the spec's own switch; the stage's PITR setting and window apply on top."""
    enabled = stage.pitr and pitr
    return ResolvedTable(
        system=system,
        table=table,
        stage=stage.name,
        physical_name=naming.table_name(system, table, stage.name),
        tags={"system": system, "table": table, "stage": stage.name},
        ssm_parameter_prefix=naming.ssm_parameter_prefix(system, stage.name, table),
        ssm_parameters={
            label: naming.ssm_parameter_name(system, stage.name, table, label) for label in naming.SSM_LABELS
        },
        pitr=enabled,
        pitr_recovery_days=stage.pitr_recovery_days if enabled else None,
        max_read_request_units=stage.on_demand_max_read_request_units,
        max_write_request_units=stage.on_demand_max_write_request_units,
    )


def granted_operations(consumers: Mapping[str, ConsumerSpec]) -> dict[str, frozenset[str]]:
    """Table -> the DynamoDB operations some consumer of the table is granted (the access matrix).

    A grant's item actions, plus its index actions: CloudWatch publishes a query on a
    GSI as the table's ``Query`` (SystemErrors and latency have no index dimension).
    Tables no consumer is granted are absent.
    """
    operations: dict[str, set[str]] = {}
    for consumer in consumers.values():
        for grant in consumer.access:
            used = operations.setdefault(grant.table, set())
            used.update(grant.item_actions())
            if grant.indexes:
                used.update(grant.index_actions())
    return {table: frozenset(ops) for table, ops in operations.items()}


# --- every name, checked before synth ------------------------------------------------


@dataclass(frozen=True)
class EmittedName:
    """One physical name and where in the catalog it comes from."""

    limit: naming.NameLimit
    name: str
    #: ``table 'users'``, ``consumer 'api'``, or None for a system-level name.
    item: str | None
    field: str


#: (system, table, stage) -> the alarm name suffixes the alarm rules give that table.
AlarmSuffixes = Callable[[str, str, "StageConfig"], Iterable[str]]


def system_names(
    system: str,
    stage: StageConfig,
    *,
    tables: Iterable[tuple[str, int]],
    consumers: Iterable[str],
    alarm_suffixes: AlarmSuffixes | None = None,
) -> Iterator[EmittedName]:
    """Every name one system emits in one stage. ``tables`` are (catalog key, data stack number)."""
    s = stage.name
    tables = list(tables)
    stack_numbers = sorted({0, *(number for _, number in tables)})
    for number in stack_numbers:
        yield EmittedName(naming.STACK_NAME, naming.data_stack_name(system, s, number), None, "system")
        yield EmittedName(naming.STACK_NAME, naming.ops_stack_name(system, s, number), None, "system")
        yield EmittedName(naming.DASHBOARD_NAME, naming.dashboard_name(system, s, number), None, "system")
    yield EmittedName(naming.TOPIC_NAME, naming.topic_name(system, s), None, "system")
    yield EmittedName(naming.BUDGET_NAME, naming.budget_name(system, s), None, "system")
    yield EmittedName(naming.ALARM_NAME, naming.health_alarm_name(system, s), None, "system")
    consumers = list(consumers)
    if consumers:
        yield EmittedName(naming.STACK_NAME, naming.access_stack_name(system, s), None, "system")
    for table, _ in tables:
        item = f"table '{table}'"
        resolved = resolve_table(system, table, stage)
        yield EmittedName(naming.TABLE_NAME, resolved.physical_name, item, "tables")
        for parameter in resolved.ssm_parameters.values():
            yield EmittedName(naming.SSM_PARAMETER_NAME, parameter, item, "tables")
        for suffix in alarm_suffixes(system, table, stage) if alarm_suffixes else ():
            yield EmittedName(naming.ALARM_NAME, naming.alarm_name(system, s, suffix), item, "tables")
    for consumer in consumers:
        yield EmittedName(
            naming.ROLE_NAME, naming.role_name(system, consumer, s), f"consumer '{consumer}'", "consumers"
        )


def check_names(
    systems: Iterable[tuple[str, Path | str, list[tuple[str, int]], list[str]]],
    stages: Iterable[StageConfig],
    *,
    alarm_suffixes: AlarmSuffixes | None = None,
) -> None:
    """Raise one CatalogError for the first name AWS would reject.

    ``systems`` are (system, catalog file, [(table, data stack number)], [consumer]).
    """
    stages = list(stages)
    for system, path, tables, consumers in systems:
        for stage in stages:
            for emitted in system_names(
                system, stage, tables=tables, consumers=consumers, alarm_suffixes=alarm_suffixes
            ):
                problem = emitted.limit.problem(emitted.name)
                if problem:
                    raise CatalogError(
                        f"{problem}, in stage '{stage.name}'; shorten the "
                        + ("system name" if emitted.item is None else "name"),
                        file=str(path),
                        item=emitted.item or f"system '{system}'",
                        field=emitted.field if emitted.item else "system",
                    )
