"""cdk-nag (AwsSolutions + NIST 800-53 R5) and our GlobalTable rules run on every stage, and nothing is left."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack, Stage
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3

from cdk_constructs.nag_globaltable import RULES, check_template
from cdk_constructs.nag_packs import acknowledge, attach_nag, prepare_app, unacknowledged_findings
from tests.conftest import Synthesized

ACK_HINT = (
    "Fix the resource, or acknowledge the finding on the construct it concerns with a reason:\n"
    "  cdk_constructs.nag_packs.acknowledge(construct, '<rule id>', '<why this is acceptable>')\n"
    "(Validations.of(construct).acknowledge(...) underneath; GlobalTable rules are 'Tableforge::<rule>')."
)


def test_validation_report_has_no_unacknowledged_findings(synth: Synthesized) -> None:
    report = synth.outdir / "validation-report.json"
    assert report.is_file(), "no validation-report.json: are the nag packs attached in build_app?"
    findings = unacknowledged_findings(synth.outdir)
    assert not findings, (
        f"{len(findings)} unacknowledged finding(s):\n" + "\n".join(map(str, findings)) + "\n" + ACK_HINT
    )


# --- the packs run on every stage, and acknowledgments are scoped -------------------------


@pytest.fixture(scope="module")
def two_stages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A bad bucket and a bad global table in an unprotected and a protected stage."""
    outdir = tmp_path_factory.mktemp("nag")
    app = App(outdir=str(outdir))
    prepare_app(app)
    stages = []
    for name, protected in (("dev", False), ("prod", True)):
        stage = Stage(app, name.capitalize())
        stack = Stack(stage, "Bad")
        table = dynamodb.TableV2(
            stack,
            "Table",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=False
            ),
        )
        bucket = s3.Bucket(stack, "Bucket")
        if name == "dev":
            acknowledge(table, "Tableforge::GlobalTablePITR", "dev tables hold only throwaway test data")
            acknowledge(bucket, "AwsSolutions-S1", "a test bucket; access logs would add a second bucket")
        stages.append((stage, protected, name))
    attach_nag(app, stages)
    app.synth()
    found: dict[str, set[str]] = {}
    for finding in unacknowledged_findings(Path(outdir)):
        found.setdefault(finding.construct_path.split("/")[0], set()).add(finding.rule)
    return found


def test_cdk_nag_packs_run_on_every_stage(two_stages: dict[str, set[str]]) -> None:
    for stage in ("Dev", "Prod"):
        rules = two_stages[stage]
        assert "AwsSolutions-S10" in rules, rules
        assert any(rule.startswith("NIST.800.53.R5-") for rule in rules), rules


def test_global_table_rules_run_on_every_stage(two_stages: dict[str, set[str]]) -> None:
    assert {"GlobalTableSSE", "GlobalTableTags"} <= two_stages["Dev"]
    assert {"GlobalTableSSE", "GlobalTableTags", "GlobalTablePITR"} <= two_stages["Prod"]
    # Deletion protection is required only where the stage is protected.
    assert "GlobalTableDeletionProtection" in two_stages["Prod"]
    assert "GlobalTableDeletionProtection" not in two_stages["Dev"]


def test_an_acknowledgment_covers_only_its_construct(two_stages: dict[str, set[str]]) -> None:
    assert "GlobalTablePITR" not in two_stages["Dev"]
    assert "AwsSolutions-S1" not in two_stages["Dev"]
    assert "AwsSolutions-S1" in two_stages["Prod"]


def test_acknowledge_refuses_blanket_scopes_and_empty_reasons() -> None:
    app = App()
    stage = Stage(app, "Prod")
    stack = Stack(stage, "S")
    bucket = s3.Bucket(stack, "B")
    for scope in (stage, stack):
        with pytest.raises(ValueError, match="on the resource it concerns"):
            acknowledge(scope, "AwsSolutions-S1", "a long enough reason for the test")
    with pytest.raises(ValueError, match="needs a reason"):
        acknowledge(bucket, "AwsSolutions-S1", "ok")


# --- each GlobalTable rule fires on a bad table ------------------------------------------


@pytest.fixture(scope="module")
def good_table(synth: Synthesized) -> dict[str, Any]:
    """A real prod global table: every rule passes on it."""
    template = synth.template("Prod/AuxeiraData")
    [(logical_id, resource)] = [
        (k, r) for k, r in template["Resources"].items() if r["Properties"].get("TableName") == "auxeira-users-prod"
    ]
    return {"Resources": {logical_id: resource}}


def _break(template: dict[str, Any], change: Any) -> dict[str, Any]:
    bad = copy.deepcopy(template)
    [resource] = bad["Resources"].values()
    change(resource["Properties"])
    return bad


def _replica(props: dict[str, Any]) -> dict[str, Any]:
    replica: dict[str, Any] = props["Replicas"][0]
    return replica


BREAKS = {
    "GlobalTablePITR": lambda p: _replica(p)["PointInTimeRecoverySpecification"].update(
        PointInTimeRecoveryEnabled=False
    ),
    "GlobalTableDeletionProtection": lambda p: _replica(p).update(DeletionProtectionEnabled=False),
    "GlobalTableSSE": lambda p: p.pop("SSESpecification"),
    "GlobalTableTags": lambda p: _replica(p).update(Tags=[t for t in _replica(p)["Tags"] if t["Key"] != "table"]),
}


def test_the_good_table_passes_every_rule(good_table: dict[str, Any]) -> None:
    assert check_template(good_table, protected=True, stage="prod") == []


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_fires_on_a_bad_table(good_table: dict[str, Any], rule: str) -> None:
    findings = check_template(_break(good_table, BREAKS[rule]), protected=True, stage="prod")
    assert [f.rule for f in findings] == [rule]


def test_pitr_is_checked_on_every_replica(good_table: dict[str, Any]) -> None:
    def second_replica_without_pitr(props: dict[str, Any]) -> None:
        extra = copy.deepcopy(_replica(props))
        extra.update(Region="eu-west-1", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
        props["Replicas"].append(extra)

    findings = check_template(_break(good_table, second_replica_without_pitr), protected=True, stage="prod")
    assert [(f.rule, f.location) for f in findings] == [
        ("GlobalTablePITR", "Properties/Replicas/1/PointInTimeRecoverySpecification")
    ]


def test_a_wrong_stage_tag_fires(good_table: dict[str, Any]) -> None:
    assert [f.rule for f in check_template(good_table, protected=True, stage="staging")] == ["GlobalTableTags"]


def test_deletion_protection_is_not_required_in_unprotected_stages(good_table: dict[str, Any]) -> None:
    bad = _break(good_table, BREAKS["GlobalTableDeletionProtection"])
    assert check_template(bad, protected=False, stage="prod") == []


# --- every acknowledgment in the app is narrow and has a reason --------------------------

ACKNOWLEDGED = "aws:cdk:acknowledged-rules"


def _acknowledgments(outdir: Path) -> list[tuple[str, str, str]]:
    """(construct path, rule id, reason) recorded in every stack's assembly metadata."""
    found = []
    for metadata_file in outdir.rglob("*.metadata.json"):
        for path, entries in json.loads(metadata_file.read_text()).items():
            for entry in entries:
                if entry.get("type") == ACKNOWLEDGED:
                    found += [(path, rule, reason) for rule, reason in entry["data"].items()]
    return found


def test_acknowledgments_are_narrow_and_have_reasons(synth: Synthesized) -> None:
    # App and Stage scopes are not in any stack's metadata: ask them directly (4 jsii calls).
    for scope in (synth.app, *synth.stages.values()):
        blanket = [m.data for m in scope.node.metadata if m.type == ACKNOWLEDGED]
        assert not blanket, f"acknowledgment on all of {scope.node.path or 'the app'}: {blanket}"
    stack_paths = {"/" + name for name in synth.templates}
    problems = []
    for path, rule, reason in _acknowledgments(synth.outdir):
        if path in stack_paths:
            problems.append(f"{rule} acknowledged for the whole stack {path}; acknowledge it on the resource")
        if len(str(reason).strip()) < 20:
            problems.append(f"{rule} at {path}: reason {reason!r} does not say why")
    assert not problems, "\n".join(problems)


def test_acknowledgments_are_found_where_they_are_recorded(tmp_path: Path) -> None:
    """The check above reads the assembly metadata; show that it sees an acknowledgment there."""
    app = App(outdir=str(tmp_path))
    stack = Stack(Stage(app, "Prod"), "S")
    acknowledge(s3.Bucket(stack, "B"), "AwsSolutions-S1", "a test bucket; logs would need a second bucket")
    app.synth()
    assert _acknowledgments(tmp_path) == [
        ("/Prod/S/B", "Annotation::AwsSolutions-S1", "a test bucket; logs would need a second bucket")
    ]
