"""Monitoring priced as AWS bills it, by hand from ../shared/PRICING.md (corrected 2026-12-01).

PRICING.md figures used below:
  CloudWatch alarm metric $0.10 (standard resolution), $0.30 (high resolution, period under 60 s);
    metric math: each metric listed in the expression; anomaly detection: the metric + 2 band
    metrics ($0.30 standard, $0.90 high resolution); composite $0.50; dashboard $3.00
  free: 10 alarm metrics (standard alarms that list metrics directly), 3 dashboards of up to 50 metrics
  KMS customer managed key $1.00 a key-month, each of the first two rotations +$1.00 a month,
    requests $0.03 per 10,000 after 20,000 free a month
  Application Auto Scaling: 2 alarms per target-tracking policy (DynamoDB Developer Guide),
    4 as DescribeScalingPolicies lists them (see cost/autoscaling.py)
Every expected value is written as the arithmetic, never copied from the estimator's output.
"""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from cost.__main__ import main
from cost.autoscaling import target_tracking_policies
from cost.cloudwatch import alarm_metrics, dashboard_metrics
from tableforge.model import read_tables
from tests.cost.helpers import classic_table, global_table, gsi, run

ALARM = "AWS::CloudWatch::Alarm"


def _stat(query_id: str, name: str, period: int = 300) -> dict[str, Any]:
    return {
        "Id": query_id,
        "ReturnData": False,
        "MetricStat": {
            "Metric": {"Namespace": "AWS/DynamoDB", "MetricName": name, "Dimensions": []},
            "Period": period,
            "Stat": "Sum",
        },
    }


def _expression(text: str) -> dict[str, Any]:
    return {"Id": "e1", "Expression": text, "ReturnData": True}


def _alarm(**props: Any) -> dict[str, Any]:
    return {"Type": ALARM, "Properties": {"ComparisonOperator": "GreaterThanThreshold", **props}}


def _single(period: int) -> dict[str, Any]:
    return _alarm(Namespace="AWS/DynamoDB", MetricName="ReadThrottleEvents", Statistic="Sum", Period=period)


def _anomaly(period: int) -> dict[str, Any]:
    return _alarm(
        Metrics=[_stat("m1", "ConsumedReadCapacityUnits", period), _expression("ANOMALY_DETECTION_BAND(m1, 2)")],
        ThresholdMetricId="e1",
        ComparisonOperator="GreaterThanUpperThreshold",
    )


def monitoring_only_template() -> dict[str, Any]:
    """Every kind of monitoring resource the estimator prices, and nothing else."""
    dashboard = {"widgets": [{"type": "metric", "properties": {"metrics": [["AWS/DynamoDB", "ReadThrottleEvents"]]}}]}
    return {
        "Resources": {
            "Single": _single(300),
            "Math": _alarm(
                Metrics=[
                    _expression("SUM(METRICS())"),
                    _stat("m1", "SystemErrors"),
                    _stat("m2", "SystemErrors"),
                    _stat("m3", "SystemErrors"),
                ]
            ),
            "Fast": _single(10),
            "Anomaly": _anomaly(300),
            "FastAnomaly": _anomaly(30),
            "Health": {"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": {"AlarmRule": 'ALARM("Single")'}},
            "Dashboard": {"Type": "AWS::CloudWatch::Dashboard", "Properties": {"DashboardBody": json.dumps(dashboard)}},
            "TopicKey": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True, "KeyPolicy": {}}},
        }
    }


def test_a_monitoring_only_template_is_priced_to_the_cent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = tmp_path / "Monitoring.template.json"
    template.write_text(json.dumps(monitoring_only_template()))
    usage = tmp_path / "usage.yaml"
    usage.write_text("version: 1\nresource_usage:\n  TopicKey: {monthly_requests: 50000}\n")
    assert main(["estimate", "--template", str(template), "--usage", str(usage), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)

    alarms = (
        1 * D("0.10")  # Single: one standard metric
        + 3 * D("0.10")  # Math: its three MetricStat metrics; the expression is not a metric
        + 1 * D("0.30")  # Fast: one metric at a 10 s period, high resolution
        + (1 + 2) * D("0.10")  # Anomaly: the metric and its two band metrics, PRICING.md's $0.30
        + (1 + 2) * D("0.30")  # FastAnomaly: the same at high resolution, PRICING.md's $0.90
    )  # 0.10 + 0.30 + 0.30 + 0.30 + 0.90 = 1.90
    composite = D("0.50")
    dashboard = D("3.00")
    key = D("1.00") + 50_000 * D("0.03") / 10_000  # the key + 5 x 10,000 requests = 1.15
    rotations = 2 * D("1.00")  # rotation is on: the first two rotations add $1 each, in later years
    low = alarms + composite + dashboard + key  # 6.55
    high = low + rotations  # 8.55
    assert (alarms, low, high) == (D("1.90"), D("6.55"), D("8.55"))
    assert (D(result["total_monthly_usd_min"]), D(result["total_monthly_usd_max"])) == (low, high)
    assert (D(result["monitoring_monthly_usd_min"]), D(result["monitoring_monthly_usd_max"])) == (low, high)
    parts = {c["name"]: c for c in result["monitoring"][0]["components"]}
    assert D(parts["alarm metrics"]["monthly_usd"]) == 7 * D("0.10")  # 1 + 3 + 3 standard metrics
    assert D(parts["high-resolution alarm metrics"]["monthly_usd"]) == 4 * D("0.30")  # 1 + 3
    assert D(parts["composite alarms"]["monthly_usd"]) == composite
    assert D(parts["dashboards"]["monthly_usd"]) == dashboard
    assert (D(parts["kms keys"]["monthly_usd_min"]), D(parts["kms keys"]["monthly_usd_max"])) == (
        key,
        key + rotations,
    )
    # Free tier: only Single lists its metric directly at standard resolution (1 of 10 free), the
    # dashboard has 1 metric (of up to 50) and is free, and 20,000 of the 50,000 requests are.
    free = -(1 * D("0.10") + 1 * D("3.00") + 20_000 * D("0.03") / 10_000)  # -(0.10 + 3.00 + 0.06)
    assert D(result["free_tier"][0]["monthly_usd"]) == free == D("-3.16")
    assert result["skipped"] == [] and result["unpriced"] == []


@pytest.mark.parametrize(
    ("props", "metrics", "high", "kind"),
    [
        ({"MetricName": "X", "Period": 60}, 1, False, "single"),  # 60 s is standard resolution
        ({"MetricName": "X", "Period": 59}, 1, True, "single"),
        ({"Metrics": [_expression("MAX(METRICS())"), *(_stat(f"m{i}", "X") for i in range(10))]}, 10, False, "math"),
        ({"Metrics": [_expression("m1 * 100"), _stat("m1", "X", period=30)]}, 1, True, "math"),
        ({"Metrics": [_stat("m1", "X")]}, 1, False, "single"),  # one metric, no expression
        ({"Metrics": [_stat("m1", "X"), _expression("ANOMALY_DETECTION_BAND(m1)")]}, 3, False, "anomaly"),
    ],
)
def test_alarm_metrics_are_counted_as_cloudwatch_bills_them(
    props: dict[str, Any], metrics: int, high: bool, kind: str
) -> None:
    billed = alarm_metrics(props)
    assert (billed.metrics, billed.high_resolution, billed.kind) == (metrics, high, kind)


def test_a_dashboard_of_more_than_50_metrics_is_not_free() -> None:
    lines = [["AWS/DynamoDB", "ReadThrottleEvents", "TableName", f"t{i}"] for i in range(51)]
    body = {"widgets": [{"type": "metric", "properties": {"metrics": [*lines, [{"expression": "SUM(METRICS())"}]]}}]}
    props = {"DashboardBody": {"Fn::Sub": json.dumps(body)}}  # CDK's form
    assert dashboard_metrics(props) == 51  # the expression line is not a metric
    result = run({"Big": {"Type": "AWS::CloudWatch::Dashboard", "Properties": props}})
    assert D(result["monitoring_monthly_usd"]) == D("3.00")
    assert result["free_tier"] == []


def _autoscaling(low: int, high: int) -> dict[str, Any]:
    return {
        "WriteCapacityAutoScalingSettings": {
            "MinCapacity": low,
            "MaxCapacity": high,
            "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70},
        }
    }


def test_autoscaling_policies_of_a_tablev2_count_per_replica() -> None:
    """TableV2 states write autoscaling once; CloudFormation applies it to every replica."""
    replica_reads = {
        "ReadProvisionedThroughputSettings": {
            "ReadCapacityAutoScalingSettings": {
                "MinCapacity": 1,
                "MaxCapacity": 4,
                "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70},
            }
        }
    }
    table = global_table(
        "game",
        "scores",
        billing="PROVISIONED",
        gsis=[gsi("by-score", WriteProvisionedThroughputSettings=_autoscaling(1, 5))],
        replicas=[{"Region": "us-east-1", **replica_reads}, {"Region": "us-west-2"}],
        WriteProvisionedThroughputSettings=_autoscaling(2, 10),
    )
    [model] = read_tables({"Resources": {"Scores": table}})
    # Writes: the table's and by-score's, in each of 2 regions; reads: each replica's (the second
    # replica takes the first one's settings, as CloudFormation requires).
    assert sorted(target_tracking_policies(model)) == [
        "gsi by-score write (us-east-1)",
        "gsi by-score write (us-west-2)",
        "table read (us-east-1)",
        "table read (us-west-2)",
        "table write (us-east-1)",
        "table write (us-west-2)",
    ]


def test_classic_scalable_targets_count_only_with_a_target_tracking_policy() -> None:
    target = {
        "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
        "Properties": {
            "ServiceNamespace": "dynamodb",
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "ResourceId": {"Fn::Join": ["", ["table/", {"Ref": "Orders"}]]},
            "MinCapacity": 5,
            "MaxCapacity": 20,
        },
    }
    orders = classic_table("shop", "orders", ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 5})
    without = {"Orders": orders, "WriteTarget": target}
    [model] = read_tables({"Resources": without})
    assert target_tracking_policies(model) == []  # a scalable target alone creates no alarms
    policy = {
        "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
        "Properties": {
            "PolicyType": "TargetTrackingScaling",
            "ScalingTargetId": {"Ref": "WriteTarget"},
            "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 50},
        },
    }
    result = run({**without, "WritePolicy": policy})
    [monitoring] = result["monitoring"]
    # One policy: 2-4 alarms x $0.10, priced with the table's system and stage.
    assert (monitoring["system"], monitoring["stage"]) == ("shop", "test")
    assert (D(monitoring["monthly_usd_min"]), D(monitoring["monthly_usd_max"])) == (D("0.20"), D("0.40"))


def test_a_data_stack_key_is_priced_with_its_system() -> None:
    """encryption="customer_managed" creates a retained key per data stack: $1 a month, like a topic key."""
    key = {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": False}}
    result = run({"OrdersTable": global_table("shop", "orders", pitr=False), "TableKey": key})
    [monitoring] = result["monitoring"]
    assert (monitoring["system"], D(monitoring["monthly_usd"])) == ("shop", D("1.00"))  # no rotation: $1 flat
    assert not any(s["type"] == "AWS::KMS::Key" for s in result["skipped"])
