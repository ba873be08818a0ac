"""The estimator on the real synthesized app (the session `synth` fixture)."""

from __future__ import annotations

import json
from decimal import Decimal as D
from typing import Any

import pytest

from cost.__main__ import main
from cost.api import estimate_assembly
from tableforge.assembly import read_assembly
from tableforge.summary import summarize
from tests.cost.helpers import cents
from tests.raw import raw_tag


def _money_keys(entry: dict[str, Any]) -> set[str]:
    return {k for k in entry if k.startswith("monthly_usd")}


def test_every_synthesized_table_is_priced_with_the_api_fields(synth: Any) -> None:
    result = estimate_assembly(synth.outdir)
    expected = {(stack, logical_id) for stack, logical_id, _ in synth.tables()}
    got = {(t["stack"], t["logical_id"]) for t in result["tables"]}
    assert got == expected
    for entry in result["tables"]:
        assert {"logical_id", "system", "table", "stage", "stack"} <= set(entry)
        assert _money_keys(entry) in (
            {"monthly_usd"},
            {"monthly_usd_min", "monthly_usd_max"},
            {"monthly_usd_min", "monthly_usd_max", "monthly_usd_expected"},
        )
        D(entry.get("monthly_usd", entry.get("monthly_usd_min")))  # money is a decimal string
    assert {t["stage"] for t in result["tables"]} == {"dev", "staging", "prod"}
    assert result["price_date"]
    assert ("total_monthly_usd" in result) != ("total_monthly_usd_min" in result)


def test_prod_users_with_the_default_profile_by_hand(synth: Any) -> None:
    """usage/auxeira.yaml gives 000's users figures: 10,000 reads, 1,000 writes, 0.1 GB a month."""
    stack, logical_id, resource = next(
        (s, lid, r)
        for s, lid, r in synth.tables("Prod")
        if raw_tag(r, "system") == "auxeira" and raw_tag(r, "table") == "users"
    )
    props = resource["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    gsis = len(props.get("GlobalSecondaryIndexes", []))
    pitr = props["Replicas"][0]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
    hand = (
        D(10_000) * D("0.125") / 1_000_000  # reads
        + D(1_000) * D("0.625") / 1_000_000 * (1 + gsis)  # writes, and each GSI written once per base write
        + D("0.1") * D("0.25")  # storage
        + (D("0.1") * D("0.20") if pitr else 0)  # PITR
    )
    result = estimate_assembly(synth.outdir, stage="prod")
    entry = next(t for t in result["tables"] if t["logical_id"] == logical_id)
    assert entry["stack"] == stack and entry["stage"] == "prod"
    assert abs(D(entry["monthly_usd"]) - hand) < D("0.0001")
    assert {t["stage"] for t in result["tables"]} == {"prod"}


def test_provisioned_catalog_tables_are_ranges(synth: Any) -> None:
    result = estimate_assembly(synth.outdir, stage="dev")
    ranged = {t["table"] for t in result["tables"] if "monthly_usd_min" in t}
    provisioned = {t["table"] for t in result["tables"] if t["billing_mode"] == "provisioned"}
    assert ranged == provisioned and provisioned  # TableV2 autoscales provisioned writes
    projects = next(t for t in result["tables"] if t["system"] == "auxeira" and t["table"] == "projects")
    reads = next(c for c in projects["components"] if c["name"] == "reads")
    assert cents(reads["monthly_usd"]) == cents(5 * 730 * D("0.00013"))  # 000: projects has 5 RCU -> $0.4745


def test_synth_summary_shows_each_stage_estimate(synth: Any) -> None:
    groups = summarize(read_assembly(synth.outdir))
    for (system, stage), group in groups.items():
        text = group.extra.get("est. monthly", "")
        assert text.startswith("$") and f"stage {stage} $" in text, (system, stage, text)


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_cli_on_the_assembly(synth: Any, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["estimate", "--cdk-out", str(synth.outdir), "--stage", "staging", "--format", fmt]) == 0
    assert "staging" in capsys.readouterr().out


def _monitoring_by_hand(templates: list[dict[str, Any]]) -> tuple[D, D]:
    """PRICING.md: $0.10 per alarm metric (each MetricStat of a metric-math alarm, else 1), $0.50 per
    composite, $3.00 per dashboard, $1.00 per KMS key (+$1.00 for each of the first two rotations),
    and 2-4 alarms of Application Auto Scaling per target-tracking policy."""
    metrics = composites = dashboards = keys = rotating = policies = 0
    for template in templates:
        for resource in template["Resources"].values():
            props = resource.get("Properties", {})
            if resource["Type"] == "AWS::CloudWatch::Alarm":
                assert props.get("Period", 60) >= 60, "no high-resolution alarm in the app"
                metrics += sum("MetricStat" in q for q in props.get("Metrics", [])) or 1
            composites += resource["Type"] == "AWS::CloudWatch::CompositeAlarm"
            dashboards += resource["Type"] == "AWS::CloudWatch::Dashboard"
            keys += resource["Type"] == "AWS::KMS::Key"
            rotating += resource["Type"] == "AWS::KMS::Key" and props.get("EnableKeyRotation") is True
        # Every table here has one replica: one policy per target-tracking configuration.
        policies += json.dumps(template).count('"TargetTrackingScalingPolicyConfiguration"')
    low = metrics * D("0.10") + composites * D("0.50") + dashboards * D("3.00") + keys * D("1.00")
    return low + policies * 2 * D("0.10"), low + policies * 4 * D("0.10") + rotating * 2 * D("1.00")


def test_monitoring_line_matches_the_ops_resources(synth: Any) -> None:
    """Count each Prod system's alarm metrics, composites, dashboards, keys and scaling policies; price by hand."""
    result = estimate_assembly(synth.outdir, stage="prod")
    by_system = {m["system"]: m for m in result["monitoring"]}
    assert set(by_system) == {"auxeira", "stackpro", "transcription"}
    for system, entry in by_system.items():
        templates = [t for s in synth.stacks if (s.system, s.stage_name) == (system, "prod") for t in [s.template]]
        low, high = _monitoring_by_hand(templates)
        # SNS with no usage and plain budgets cost $0.
        assert (D(entry["monthly_usd_min"]), D(entry["monthly_usd_max"])) == (low, high), (system, entry)
    low = sum(D(m["monthly_usd_min"]) for m in result["monitoring"])
    assert D(result["monitoring_monthly_usd_min"]) == low
