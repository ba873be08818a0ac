"""Rules for ``AWS::DynamoDB::GlobalTable``, which cdk-nag's DynamoDB rules never see.

cdk-nag's DDB3 (PITR) and the NIST/HIPAA DynamoDB rules match only
``AWS::DynamoDB::Table``; TableV2 synthesizes ``AWS::DynamoDB::GlobalTable``.
This is a CDK policy-validation plugin (the interface cdk-nag v3 packs
implement). It reads the synthesized templates as JSON, once per stage, so it
costs one jsii callback rather than one per resource. Findings go to the same
``validation-report.json`` and are acknowledged the same way, with the plugin's
namespace: ``Validations.of(table).acknowledge(id="Tableforge::GlobalTablePITR", ...)``.

The checks are plain functions (:func:`check_template`) so tests can show each
rule firing on a bad table without synthesizing anything. They read the tables
through the read model (tableforge/model.py); the locations they report are the
template paths of the settings they judge.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import (
    IPolicyValidationContext,
    IPolicyValidationPlugin,
    PolicyValidationPluginReport,
    PolicyViolatingResource,
    PolicyViolation,
)

from tableforge.model import GLOBAL_TABLE, TableModel, read_tables

PLUGIN_NAME = "Tableforge"
REQUIRED_TAGS = ("system", "table", "stage")

#: rule name -> (description, fix)
RULES: dict[str, tuple[str, str]] = {
    "GlobalTablePITR": (
        "A replica of the global table has point-in-time recovery off.",
        "Keep the stage default pitr on; a spec that opts out must be acknowledged with a reason.",
    ),
    "GlobalTableDeletionProtection": (
        "A replica of the global table in a protected stage has deletion protection off.",
        "Protected stages set deletion_protection=True in the stage config.",
    ),
    "GlobalTableSSE": (
        "The global table does not state its server-side encryption (SSESpecification.SSEEnabled).",
        "Set the stage's encryption (dynamo_owned, aws_managed or customer_managed) explicitly.",
    ),
    "GlobalTableTags": (
        "A replica of the global table lacks the system, table or stage tag (or the stage tag is wrong).",
        "CatalogTable tags every table; don't create tables outside it.",
    ),
}


@dataclass(frozen=True)
class Finding:
    rule: str
    logical_id: str
    location: str


def check_template(template: dict[str, Any], *, protected: bool, stage: str | None = None) -> list[Finding]:
    """Every finding for the global tables of one template."""
    findings: list[Finding] = []
    for table in read_tables(template):
        if table.type == GLOBAL_TABLE:
            findings.extend(_check_table(table, protected, stage))
    return findings


def _check_table(table: TableModel, protected: bool, stage: str | None) -> Iterator[Finding]:
    logical_id = table.logical_id
    if not table.sse.declared:
        yield Finding("GlobalTableSSE", logical_id, "Properties/SSESpecification")
    if not table.replicas:
        # No replica: nothing carries PITR, deletion protection or tags.
        for rule in ("GlobalTablePITR", "GlobalTableTags"):
            yield Finding(rule, logical_id, "Properties/Replicas")
        if protected:
            yield Finding("GlobalTableDeletionProtection", logical_id, "Properties/Replicas")
    # The model keeps the replicas in template order: their index is their template path.
    for number, replica in enumerate(table.replicas):
        where = f"Properties/Replicas/{number}"
        if not replica.pitr:
            yield Finding("GlobalTablePITR", logical_id, f"{where}/PointInTimeRecoverySpecification")
        if protected and not replica.deletion_protection:
            yield Finding("GlobalTableDeletionProtection", logical_id, f"{where}/DeletionProtectionEnabled")
        missing = [key for key in REQUIRED_TAGS if not replica.tags.get(key)]
        if missing or (stage is not None and replica.tags.get("stage") != stage):
            yield Finding("GlobalTableTags", logical_id, f"{where}/Tags")


@jsii.implements(IPolicyValidationPlugin)
class GlobalTableChecks:
    """The GlobalTable rules for one stage; register with ``Validations.of(stage)``.

    ``protected`` turns on the deletion-protection rule; ``stage`` (the
    lower-case stage name) makes the tag rule also check the stage tag's value.
    """

    def __init__(self, *, protected: bool, stage: str | None = None) -> None:
        self._protected = protected
        self._stage = stage

    @property
    def name(self) -> str:
        return PLUGIN_NAME

    @property
    def version(self) -> str:
        return "1.0.0"

    @property
    def rule_ids(self) -> list[str]:
        return list(RULES)

    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        violations: dict[str, list[PolicyViolatingResource]] = {}
        for template_path in context.template_paths:
            template = json.loads(Path(template_path).read_text())
            for finding in check_template(template, protected=self._protected, stage=self._stage):
                violations.setdefault(finding.rule, []).append(
                    PolicyViolatingResource(
                        resource_logical_id=finding.logical_id,
                        template_path=template_path,
                        locations=[finding.location],
                    )
                )
        return PolicyValidationPluginReport(
            success=not violations,
            violations=[
                PolicyViolation(
                    rule_name=rule,
                    description=RULES[rule][0],
                    fix=RULES[rule][1],
                    severity="error",
                    violating_resources=resources,
                )
                for rule, resources in violations.items()
            ],
        )
