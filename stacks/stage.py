"""One Stage class; app.py makes one instance per stage config."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stage
from constructs import Construct

from stacks.access_stack import AccessStack, access_stack_id, table_key_arns
from stacks.data_stack import DataStack, data_stack_id
from stacks.ops_stack import OpsStack, build_ops_stacks
from tableforge.catalog import Catalog, TableSpec
from tableforge.stages import StageConfig


class TableforgeStage(Stage):
    """Every system's stacks for one stage (dev, staging or prod)."""

    def __init__(
        self, scope: Construct, stage_id: str, *, config: StageConfig, catalog: Catalog, **kwargs: Any
    ) -> None:
        super().__init__(scope, stage_id, **kwargs)
        self.config = config
        #: system -> the system's data stacks, keyed by their catalog stack number.
        self.data_stacks: dict[str, dict[int, DataStack]] = {}
        #: system -> its alarms, topic, dashboard and budget (issue 3); never a table.
        self.ops_stacks: dict[str, dict[int, OpsStack]] = {}
        for system in catalog.systems:
            groups: dict[int, dict[str, TableSpec]] = {}
            for name, spec in catalog.tables(system).items():
                groups.setdefault(spec.stack, {})[name] = spec
            self.data_stacks[system] = {
                number: DataStack(
                    self, data_stack_id(system, number), system=system, stack=number, tables=tables, config=config
                )
                for number, tables in sorted(groups.items())
            }
            self.ops_stacks[system] = build_ops_stacks(
                self,
                system=system,
                tables=catalog.tables(system),
                config=config,
                budget_usd=catalog.budget_usd(system, config.name),
            )
        #: system -> the roles of its consumers (issue 4), for systems that have any.
        self.access_stacks: dict[str, AccessStack] = {}
        for system in catalog.systems:
            consumers = catalog.consumers(system)
            if consumers:
                tables = catalog.tables(system)
                self.access_stacks[system] = AccessStack(
                    self,
                    access_stack_id(system),
                    system=system,
                    consumers=consumers,
                    tables=tables,
                    config=config,
                    key_arns=table_key_arns(self.data_stacks[system], tables, config),
                )
