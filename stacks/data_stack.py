"""A system's tables for one stage: the stateful stack, nothing else in it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from constructs import Construct

from cdk_constructs.table import CatalogTable
from tableforge import naming
from tableforge.assembly import stack_metadata
from tableforge.catalog import TableSpec
from tableforge.naming import construct_id
from tableforge.stages import StageConfig


def data_stack_id(system: str, stack: int) -> str:
    """``AuxeiraData`` for a system's first stack, ``AuxeiraData1``, ``AuxeiraData2``... after."""
    return f"{construct_id(system)}Data{stack or ''}"


class DataStack(Stack):
    """The tables of one system that the catalog assigns to stack number ``stack``.

    Roles, alarms and budgets live in other stacks so that redeploying them never
    touches a table. Termination protection follows the stage config.
    """

    def __init__(
        self,
        scope: Construct,
        stack_id: str,
        *,
        system: str,
        stack: int,
        tables: Mapping[str, TableSpec],
        config: StageConfig,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            stack_id,
            stack_name=naming.data_stack_name(system, config.name, stack),
            description=f"tableforge: {system} DynamoDB tables ({config.name}, stack {stack})",
            termination_protection=config.termination_protection,
            **kwargs,
        )
        self.system = system
        self.template_options.metadata = stack_metadata(system=system, stage=config.name, kind="data", stack=stack)
        key = self._encryption_key(system, config) if config.encryption == "customer_managed" else None
        self.encryption_key = key
        self.tables: dict[str, CatalogTable] = {
            name: CatalogTable(
                self, construct_id(name), system=system, name=name, spec=spec, stage=config, encryption_key=key
            )
            for name, spec in tables.items()
        }

    def _encryption_key(self, system: str, config: StageConfig) -> kms.IKey:
        if config.customer_managed_key_arn:
            return kms.Key.from_key_arn(self, "TableKey", config.customer_managed_key_arn)
        return kms.Key(
            self,
            "TableKey",
            description=f"{system} {config.name} DynamoDB tables",
            enable_key_rotation=True,
            # The key outlives the stack: without it, retained tables are unreadable.
            removal_policy=RemovalPolicy.RETAIN,
        )
