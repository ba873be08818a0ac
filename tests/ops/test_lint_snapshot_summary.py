"""cfn-lint on the ops templates, one snapshot per ops stack, and the synth summary's alarm counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cfnlint.api import ManualArgs, lint_file

from tableforge.assembly import read_assembly
from tableforge.summary import summarize
from tests.conftest import TEST_REGION, Synthesized
from tests.ops.helpers import STAGES, SYSTEMS, ops_stack

OPS_STACKS = [ops_stack(stage, system) for stage in STAGES for system in SYSTEMS]


def lint_errors(path: Path) -> list[str]:
    return [str(m) for m in lint_file(path, config=ManualArgs(regions=[TEST_REGION])) if m.rule.id.startswith("E")]


def test_cfn_lint_would_catch_a_broken_alarm(synth: Synthesized, tmp_path: Path) -> None:
    # tests/test_cfn_lint.py lints every template, ops included; this shows the lint
    # can fail on an ops alarm: the same kind of alarm with an invalid operator is an error.
    template = synth.template("Dev/StackproOps")
    alarm_id, alarm = next((k, r) for k, r in template["Resources"].items() if r["Type"] == "AWS::CloudWatch::Alarm")
    broken = json.loads(json.dumps(alarm))
    broken["Properties"]["ComparisonOperator"] = "GreaterThanOrMaybe"
    path = tmp_path / "broken.json"
    path.write_text(
        json.dumps(
            {
                "Resources": {
                    alarm_id: broken,
                    **{
                        k: r
                        for k, r in template["Resources"].items()
                        if r["Type"] in ("AWS::SNS::Topic", "AWS::KMS::Key")
                    },
                }
            }
        )
    )
    assert lint_errors(path)


@pytest.mark.parametrize("stack", OPS_STACKS)
def test_ops_stack_snapshot(synth: Synthesized, stack: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    assert synth.template(stack) == snapshot


def test_synth_summary_counts_alarms_per_system_and_stage(synth: Synthesized) -> None:
    groups = summarize(read_assembly(synth.outdir))
    # stackpro dev watches throttles only: 4 tables x 2 alarms, one metric each.
    assert groups[("stackpro", "dev")].extra["alarms"] == "8 (+1 composite, 8 alarm metrics)"
    # prod: per table 2 throttles + SystemErrors of the 7 operations express-api is granted
    # (read-write, no Scan) + latency of the 4 main ones: 4 alarms and 13 metrics per table.
    assert groups[("stackpro", "prod")].extra["alarms"] == "16 (+1 composite, 52 alarm metrics)"
    # auxeira staging: 195 alarms (see test_alarm_counts_by_hand) and 2 health parts + health.
    assert groups[("auxeira", "staging")].extra["alarms"].startswith("195 (+3 composite, ")
    assert all("alarms" in group.extra for group in groups.values())
