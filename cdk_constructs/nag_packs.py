"""Which checks run on the app: cdk-nag's AwsSolutions and NIST 800-53 R5, and our GlobalTable rules.

The cdk-nag packs are registered once on the App: they walk the whole construct
tree, so every stage is checked, and registering them per stage would walk it
once per stage. The GlobalTable rules are registered per stage because whether
deletion protection is required is a property of the stage.

Findings go to ``validation-report.json`` in the assembly. The app does not fail
synthesis itself (``@aws-cdk/core:failSynthOnValidationErrors`` is false), so
the report is always written: app.py exits non-zero on unacknowledged findings,
and tests assert the report is clean and list what is not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import Acknowledgment, App, Stack, Stage, Validations
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks
from constructs import IConstruct

from cdk_constructs.nag_globaltable import GlobalTableChecks

FAIL_SYNTH_CONTEXT = "@aws-cdk/core:failSynthOnValidationErrors"
REPORT_FILE = "validation-report.json"


def prepare_app(app: App) -> None:
    """Before any stage exists: report findings instead of raising mid-synth."""
    if app.node.try_get_context(FAIL_SYNTH_CONTEXT) is None:
        app.node.set_context(FAIL_SYNTH_CONTEXT, False)


def attach_nag(app: App, stages: Iterable[tuple[Stage, bool, str]]) -> None:
    """cdk-nag on the app; GlobalTable rules on each ``(stage, protected, stage name)``."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), NIST80053R5Checks(app))
    for stage, protected, name in stages:
        Validations.of(stage).add_plugins(GlobalTableChecks(protected=protected, stage=name))


@dataclass(frozen=True)
class NagFinding:
    plugin: str
    rule: str
    severity: str
    construct_path: str
    description: str

    def __str__(self) -> str:
        return f"[{self.severity}] {self.plugin} {self.rule} at {self.construct_path}: {self.description}"


def unacknowledged_findings(assembly_dir: Path | str) -> list[NagFinding]:
    """Every violation left in the report after acknowledgments (CloudFormation-Validate warnings included)."""
    report = json.loads((Path(assembly_dir) / REPORT_FILE).read_text())
    findings = []
    for plugin in report.get("pluginReports", []):
        for violation in plugin.get("violations", []):
            for construct in violation.get("violatingConstructs", []) or [{}]:
                findings.append(
                    NagFinding(
                        plugin=_plugin_name(plugin),
                        rule=str(violation.get("ruleName")),
                        severity=str(violation.get("severity")),
                        construct_path=str(construct.get("constructPath", "?")),
                        description=str(violation.get("description", "")),
                    )
                )
    return findings


def _plugin_name(plugin: dict[str, Any]) -> str:
    info = plugin.get("summary", {}) or {}
    return str(plugin.get("pluginName") or info.get("pluginName") or "?")


#: A reason must say why, not just "ok".
MIN_REASON_CHARS = 20


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one finding on one construct, never on a whole App, Stage or Stack.

    ``rule_id`` is cdk-nag's (``AwsSolutions-IAM5``, a granular
    ``AwsSolutions-IAM5[Action::s3:*]``) or ours (``Tableforge::GlobalTablePITR``).
    """
    if Stage.is_stage(scope) or Stack.is_stack(scope):
        raise ValueError(f"acknowledge {rule_id} on the resource it concerns, not on {scope.node.path or 'the app'}")
    if len(reason.strip()) < MIN_REASON_CHARS:
        raise ValueError(f"acknowledging {rule_id} needs a reason of at least {MIN_REASON_CHARS} characters")
    Validations.of(scope).acknowledge(Acknowledgment(id=rule_id, reason=reason.strip()))
