"""Rules for ``AWS::DynamoDB::GlobalTable``, which cdk-nag's DynamoDB rules never see.

cdk-nag's DDB3 (PITR) and the NIST/HIPAA DynamoDB rules match only
``AWS::DynamoDB::Table``; TableV2 synthesizes ``AWS::DynamoDB::GlobalTable``.
This is a CDK policy-validation plugin (the interface cdk-nag v3 packs
implement). It reads the synthesized templates as JSON, once per stage, so it
costs one jsii callback rather than one per resource. Findings go to the same
``validation-report.json`` and are acknowledged the same way, with the plugin's
namespace: ``Validations.of(table).acknowledge(id="Tableforge::GlobalTablePITR", ...)``.

The checks are plain functions (:func:`check_template`) so tests can show each
rule firing on a bad table without synthesizing anything.
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

GLOBAL_TABLE = "AWS::DynamoDB::GlobalTable"
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
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") == GLOBAL_TABLE:
            findings.extend(_check_table(logical_id, resource.get("Properties", {}), protected, stage))
    return findings


def _check_table(logical_id: str, props: dict[str, Any], protected: bool, stage: str | None) -> Iterator[Finding]:
    sse = props.get("SSESpecification")
    if not isinstance(sse, dict) or not isinstance(sse.get("SSEEnabled"), bool):
        yield Finding("GlobalTableSSE", logical_id, "Properties/SSESpecification")
    replicas = props.get("Replicas") or []
    if not replicas:
        # No replica: nothing carries PITR, deletion protection or tags.
        for rule in ("GlobalTablePITR", "GlobalTableTags"):
            yield Finding(rule, logical_id, "Properties/Replicas")
        if protected:
            yield Finding("GlobalTableDeletionProtection", logical_id, "Properties/Replicas")
    for number, replica in enumerate(replicas):
        where = f"Properties/Replicas/{number}"
        pitr = replica.get("PointInTimeRecoverySpecification") or {}
        if pitr.get("PointInTimeRecoveryEnabled") is not True:
            yield Finding("GlobalTablePITR", logical_id, f"{where}/PointInTimeRecoverySpecification")
        if protected and replica.get("DeletionProtectionEnabled") is not True:
            yield Finding("GlobalTableDeletionProtection", logical_id, f"{where}/DeletionProtectionEnabled")
        tags = {t.get("Key"): t.get("Value") for t in replica.get("Tags") or []}
        missing = [key for key in REQUIRED_TAGS if not tags.get(key)]
        if missing or (stage is not None and tags.get("stage") != stage):
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
