"""A system's consumer roles for one stage: stateless, so redeploying it never touches data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import Stack, Tags
from constructs import Construct

from cdk_constructs.access import ConsumerRole
from stacks.data_stack import DataStack
from tableforge import naming
from tableforge.assembly import stack_metadata
from tableforge.catalog import ConsumerSpec, TableSpec
from tableforge.naming import construct_id
from tableforge.stages import StageConfig


def access_stack_id(system: str) -> str:
    """``AuxeiraAccess``: addressed as ``Prod/AuxeiraAccess``."""
    return f"{construct_id(system)}Access"


def table_key_arns(
    data_stacks: Mapping[int, DataStack], tables: Mapping[str, TableSpec], config: StageConfig
) -> dict[str, Any]:
    """Table -> the ARN of its customer-managed key; empty unless the stage uses one.

    A key created by a data stack reaches the access stack as a cross-stack
    reference (an export of the data stack); a configured key ARN is a literal.
    """
    if config.encryption != "customer_managed":
        return {}
    key_by_stack: dict[int, Any] = {}
    for number, stack in data_stacks.items():
        if stack.encryption_key is not None:
            key_by_stack[number] = stack.encryption_key.key_arn
    return {name: key_by_stack[spec.stack] for name, spec in tables.items() if spec.stack in key_by_stack}


class AccessStack(Stack):
    """One IAM role per consumer of ``system`` in this stage (see :class:`ConsumerRole`).

    Tagged ``system`` and ``stage``. Table ARNs are computed from physical
    names, so the only dependency on the data stacks is a customer-managed key.
    """

    def __init__(
        self,
        scope: Construct,
        stack_id: str,
        *,
        system: str,
        consumers: Mapping[str, ConsumerSpec],
        tables: Mapping[str, TableSpec],
        config: StageConfig,
        key_arns: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            stack_id,
            stack_name=naming.access_stack_name(system, config.name),
            description=f"tableforge: {system} consumer roles ({config.name})",
            **kwargs,
        )
        for key, value in (("system", system), ("stage", config.name)):
            Tags.of(self).add(key, value)
        self.template_options.metadata = stack_metadata(system=system, stage=config.name, kind="access")
        self.roles: dict[str, ConsumerRole] = {
            name: ConsumerRole(
                self,
                construct_id(name),
                system=system,
                name=name,
                consumer=consumer,
                tables=tables,
                stage=config.name,
                key_arns=key_arns,
            )
            for name, consumer in consumers.items()
        }
