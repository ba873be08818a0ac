"""A system's operations for one stage: alarms, topic, dashboard and budget.

Nothing here is stateful and no table lives here: redeploying these stacks never
touches data. Tables are referenced by physical name (a plain string), so no
CloudFormation export couples them to the data stacks.

One ops stack per data stack ("shard"), so a system's alarms grow with its
tables without crossing CloudFormation's 500-resource limit, and an alarm never
moves between stacks when tables are added (its table never changes data stack):

* ``<System>Ops`` (shard 0) holds the topic and its key, the budget, the
  system-health composite and the alarms and dashboard of data stack 0;
* ``<System>Ops<k>`` holds the alarms and dashboard of data stack k. Shard 0
  depends on it, because the composite may only name alarms that exist, so its
  alarms address the topic by its fixed ARN rather than by reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import Aws, Stack
from constructs import Construct

from cdk_constructs.monitoring import (
    AlarmTopic,
    CostBudget,
    OpsDashboard,
    SystemHealth,
    TableAlarms,
    table_segments,
)
from tableforge import naming
from tableforge.assembly import stack_metadata
from tableforge.catalog import TableSpec
from tableforge.errors import StageError
from tableforge.naming import construct_id
from tableforge.stages import StageConfig

#: CloudFormation allows 500 resources per stack.
MAX_STACK_RESOURCES = 500


def ops_stack_id(system: str, shard: int = 0) -> str:
    """``AuxeiraOps`` for shard 0, ``AuxeiraOps1``... after: addressed as ``<Stage>/AuxeiraOps``."""
    return f"{construct_id(system)}Ops{shard or ''}"


class OpsStack(Stack):
    """The alarms (and, in shard 0, topic, budget and health) of one system and stage.

    Stack tags ``system`` and ``stage`` are applied by CloudFormation to every
    resource that supports tags, so the alarms' and the key's cost lands in the
    system's budget without tags in each template entry.
    """

    def __init__(
        self,
        scope: Construct,
        stack_id: str,
        *,
        system: str,
        shard: int,
        tables: Mapping[str, TableSpec],
        config: StageConfig,
        budget_usd: float,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            stack_id,
            stack_name=naming.ops_stack_name(system, config.name, shard),
            description=f"tableforge: {system} alarms and dashboard ({config.name}, data stack {shard})"
            + (", alarm topic, budget and system health" if shard == 0 else ""),
            tags={"system": system, "stage": config.name},
            **kwargs,
        )
        self.system, self.shard, self.config = system, shard, config
        if shard == 0:
            self.topic: AlarmTopic | None = AlarmTopic(self, "AlarmTopic", system=system, stage=config)
            topic_arn = self.topic.topic_arn
            CostBudget(self, "CostBudget", system=system, stage=config, amount_usd=budget_usd, topic_arn=topic_arn)
        else:
            self.topic = None
            # The topic's name is fixed: its ARN needs no reference into shard 0.
            topic_arn = naming.topic_arn(
                naming.topic_name(system, config.name),
                partition=Aws.PARTITION,
                region=Aws.REGION,
                account=Aws.ACCOUNT_ID,
            )
        # One segment per table: its alarms and its dashboard graphs read the same metrics.
        segments = table_segments(system=system, tables=tables, stage=config)
        self.alarms = TableAlarms(self, "Alarms", system=system, segments=segments, stage=config, topic_arn=topic_arn)
        if segments:
            OpsDashboard(
                self,
                "Dashboard",
                system=system,
                segments=segments,
                stage=config,
                dashboard_name=naming.dashboard_name(system, config.name, shard),
            )
        self.health: SystemHealth | None = None
        # The synth summary groups the alarms by the system and stage written here.
        self.template_options.metadata = stack_metadata(system=system, stage=config.name, kind="ops", shard=shard)

    def add_system_health(self, shards: Mapping[int, OpsStack]) -> None:
        """Shard 0 only: the composite over every shard's alarms (call once all shards exist)."""
        assert self.topic is not None, "the system-health alarm lives in shard 0"
        alarms = [pair for number in sorted(shards) for pair in shards[number].alarms.alarms]
        self.health = SystemHealth(
            self, "SystemHealth", system=self.system, stage=self.config, alarms=alarms, topic_arn=self.topic.topic_arn
        )

    def check_resource_limit(self) -> None:
        # Count before CloudFormation does, and say what to do about it.
        alarms = len(self.alarms.alarms) + (self.health.composite_count if self.health else 0)
        if alarms + 8 > MAX_STACK_RESOURCES:
            raise StageError(
                f"{alarms} alarms in {self.stack_name}; CloudFormation allows {MAX_STACK_RESOURCES} resources per "
                "stack. Give new tables a new data stack number (the ops stacks shard the same way).",
                item=f"system '{self.system}'",
                field="stack",
            )


def build_ops_stacks(
    scope: Construct, *, system: str, tables: Mapping[str, TableSpec], config: StageConfig, budget_usd: float
) -> dict[int, OpsStack]:
    """One :class:`OpsStack` per data stack number of ``system`` (always shard 0), health and the
    ``budget_usd`` monthly budget in shard 0."""
    by_stack: dict[int, dict[str, TableSpec]] = {0: {}}
    for name, spec in tables.items():
        by_stack.setdefault(spec.stack, {})[name] = spec
    shards = {
        number: OpsStack(
            scope,
            ops_stack_id(system, number),
            system=system,
            shard=number,
            tables=group,
            config=config,
            budget_usd=budget_usd,
        )
        for number, group in sorted(by_stack.items())
    }
    shards[0].add_system_health(shards)
    for shard in shards.values():
        shard.check_resource_limit()
    return shards
