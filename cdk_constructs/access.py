"""Least-privilege IAM roles from the catalog's access matrix: one role per consumer.

The documents come from :mod:`cdk_constructs.access_policy` (plain Python) and
go to CloudFormation L1 resources in one call each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import CfnOutput
from aws_cdk import aws_iam as iam
from constructs import Construct

from cdk_constructs.access_policy import (
    MAX_POLICIES_PER_ROLE,
    MAX_POLICY_CHARS,
    PolicyTooLargeError,
    policy_statements,
    split_documents,
    tenant_session_statement,
    trust_policy,
)
from tableforge.catalog import ConsumerSpec, TableSpec
from tableforge.naming import role_name

__all__ = ["ConsumerRole", "PolicyTooLargeError", "policy_statements", "split_documents"]


class ConsumerRole(Construct):
    """One consumer's IAM role in one stage, with exactly the matrix's access.

    Defaults: role name ``<system>-<consumer>-<stage>``; trust from
    :func:`trust_policy`; permissions in customer managed policies (no inline
    policy) of at most 6,144 characters each, split when needed, at most 10 per
    role; the role ARN as a CfnOutput.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        system: str,
        name: str,
        consumer: ConsumerSpec,
        tables: Mapping[str, TableSpec],
        stage: str,
        key_arns: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.role_name = role_name(system, name, stage)
        self.statements = policy_statements(
            system=system, consumer=consumer, tables=tables, stage=stage, key_arns=key_arns
        )
        tenant_session = tenant_session_statement(consumer, role_name=self.role_name)
        if tenant_session is not None:
            self.statements.append(tenant_session)
        self.documents = split_documents(self.statements)
        if len(self.documents) > MAX_POLICIES_PER_ROLE:
            raise PolicyTooLargeError(
                f"consumer '{name}' of {system} needs {len(self.documents)} policies of "
                f"{MAX_POLICY_CHARS} characters; a role holds {MAX_POLICIES_PER_ROLE}. Split the consumer."
            )
        self.role = iam.CfnRole(
            self,
            "Role",
            role_name=self.role_name,
            assume_role_policy_document=trust_policy(consumer, role_name=self.role_name),
            description=f"tableforge: {system} consumer {name} ({stage}), access from the catalog matrix",
        )
        for number, document in enumerate(self.documents):
            iam.CfnManagedPolicy(
                self,
                "Policy" if number == 0 else f"Policy{number + 1}",
                policy_document=document,
                roles=[self.role.ref],
                description=f"{self.role_name} DynamoDB access ({number + 1}/{len(self.documents)})",
            )
        CfnOutput(self, "RoleArn", value=self.role.attr_arn, description=f"{self.role_name} role ARN")
