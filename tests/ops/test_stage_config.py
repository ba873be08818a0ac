"""Thresholds, subscriptions and replicas come from the stage config; big systems shard.

These build one system (transcription, 3 tables) in a small app of their own,
so each costs a fraction of the full synth.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from aws_cdk import App, Environment, Stage
from aws_cdk.assertions import Match, Template

from stacks.ops_stack import OpsStack, build_ops_stacks
from tableforge.catalog import TableSpec
from tableforge.errors import StageError
from tableforge.stages import PROD, MonitoringConfig, StageConfig, Subscription
from tests.conftest import TEST_ACCOUNT, TEST_REGION, Synthesized


def build(config: StageConfig, tables: dict[str, TableSpec], budget_usd: float = 25) -> dict[int, OpsStack]:
    app = App()
    stage = Stage(app, "Test", env=Environment(account=TEST_ACCOUNT, region=TEST_REGION))
    return build_ops_stacks(stage, system="transcription", tables=tables, config=config, budget_usd=budget_usd)


@pytest.fixture(scope="module")
def tables(synth: Synthesized) -> dict[str, TableSpec]:
    return synth.catalog.tables("transcription")


def alarm(template: Template, name: str) -> dict[str, Any]:
    found = template.find_resources("AWS::CloudWatch::Alarm", {"Properties": {"AlarmName": name}})
    assert len(found) == 1, name
    return next(iter(found.values()))["Properties"]


def test_changing_thresholds_in_the_stage_config_changes_the_template(tables: dict[str, TableSpec]) -> None:
    before = Template.from_stack(build(PROD, tables)[0])
    changed = PROD.with_changes(
        monitoring=PROD.monitoring.with_changes(
            latency_threshold_ms=75, throttle_threshold=5, system_errors_evaluation_periods=6
        )
    )
    after = Template.from_stack(build(changed, tables)[0])

    assert alarm(before, "transcription-prod-users-latency")["Threshold"] == 50
    after.has_resource_properties(
        "AWS::CloudWatch::Alarm", {"AlarmName": "transcription-prod-users-latency", "Threshold": 75}
    )
    for name in ("transcription-prod-users-read-throttle", "transcription-prod-users-gsi-email-index-write-throttle"):
        assert alarm(before, name)["Threshold"] == 0
        assert alarm(after, name)["Threshold"] == 5
    errors = alarm(after, "transcription-prod-usage-system-errors")
    assert (errors["EvaluationPeriods"], errors["DatapointsToAlarm"]) == (6, 6)
    # Only what was changed changed.
    assert alarm(after, "transcription-prod-usage-latency")["EvaluationPeriods"] == 3


def test_budget_amount_reaches_the_template(tables: dict[str, TableSpec]) -> None:
    Template.from_stack(build(PROD, tables, budget_usd=15)[0]).has_resource_properties(
        "AWS::Budgets::Budget", {"Budget": Match.object_like({"BudgetLimit": {"Amount": 15, "Unit": "USD"}})}
    )


def test_subscriptions_come_from_the_stage_config(tables: dict[str, TableSpec]) -> None:
    config = PROD.with_changes(
        monitoring=MonitoringConfig(
            subscriptions=(
                Subscription(protocol="email", endpoint="oncall@example.com"),
                Subscription(protocol="https", endpoint="https://hooks.example.com/alarms"),
            )
        )
    )
    template = Template.from_stack(build(config, tables)[0])
    template.resource_count_is("AWS::SNS::Subscription", 2)
    topic = Match.object_equals({"Ref": next(iter(template.find_resources("AWS::SNS::Topic")))})
    template.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "oncall@example.com", "TopicArn": topic}
    )
    template.has_resource_properties(
        "AWS::SNS::Subscription",
        {"Protocol": "https", "Endpoint": "https://hooks.example.com/alarms", "TopicArn": topic},
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"subscriptions": (Subscription(protocol="https", endpoint="http://insecure.example.com"),)},
            "subscriptions[0]",
        ),
        ({"subscriptions": (Subscription(protocol="email", endpoint="not-an-address"),)}, "subscriptions[0]"),
        ({"system_error_operations": tuple(f"Op{i}" for i in range(11))}, "system_error_operations"),
        ({"latency_statistic": "p100"}, "latency_statistic"),
        ({"latency_statistic": "Sum"}, "latency_statistic"),
        ({"on_demand_cap_share_percent": 120}, "on_demand_cap_share_percent"),
    ],
)
def test_bad_monitoring_settings_fail_before_synth(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(StageError, match=re.escape(f"field '{field}'")):
        MonitoringConfig(**changes)


def test_with_changes_checks_the_changed_config_again() -> None:
    with pytest.raises(StageError) as info:
        PROD.with_changes(pitr_recovery_days=40)
    assert str(info.value) == "stage 'prod': field 'pitr_recovery_days': pitr_recovery_days is 40; DynamoDB allows 1-35"
    with pytest.raises(StageError, match=re.escape("stage 'prod': field 'replica_key_arns': customer_managed")):
        PROD.with_changes(encryption="customer_managed", replica_regions=("eu-west-1",))
    with pytest.raises(StageError, match=re.escape("monitoring: field 'latency_statistic'")):
        PROD.monitoring.with_changes(latency_statistic="Sum")
    with pytest.raises(StageError, match=re.escape("unknown key 'pitr_days'; did you mean 'pitr_recovery_days'?")):
        PROD.with_changes(pitr_days=7)
    assert PROD.with_changes(pitr_recovery_days=7).pitr_recovery_days == 7 and PROD.pitr_recovery_days == 35


def test_global_tables_with_replicas_get_replication_latency(tables: dict[str, TableSpec]) -> None:
    config = PROD.with_changes(replica_regions=("eu-west-1",))
    template = Template.from_stack(build(config, tables)[0])
    for table in tables:
        props = alarm(template, f"transcription-prod-{table}-replication-latency-eu-west-1")
        assert props["MetricName"] == "ReplicationLatency"
        assert props["Statistic"] == "Average"
        assert props["Dimensions"] == [
            {"Name": "TableName", "Value": f"transcription-{table}-prod"},
            {"Name": "ReceivingRegion", "Value": "eu-west-1"},
        ]
        assert props["Threshold"] == 60_000
    # Without replicas (the shared synth's stages) there is none.
    assert not Template.from_stack(build(PROD, tables)[0]).find_resources(
        "AWS::CloudWatch::Alarm", {"Properties": {"MetricName": "ReplicationLatency"}}
    )


def test_a_second_data_stack_gets_a_second_ops_stack_without_exports(tables: dict[str, TableSpec]) -> None:
    moved = {name: spec.model_copy(update={"stack": 1}) if name == "usage" else spec for name, spec in tables.items()}
    shards = build(PROD, moved)
    assert sorted(shards) == [0, 1]
    first, second = (Template.from_stack(shards[n]).to_json() for n in (0, 1))
    second_alarms = {
        r["Properties"]["AlarmName"] for r in second["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"
    }
    assert second_alarms == {
        "transcription-prod-usage-read-throttle",
        "transcription-prod-usage-write-throttle",
        "transcription-prod-usage-system-errors",
        "transcription-prod-usage-latency",
    }
    # Shard 1 has no topic of its own: it addresses shard 0's topic by its fixed ARN.
    assert not [r for r in second["Resources"].values() if r["Type"] in ("AWS::SNS::Topic", "AWS::Budgets::Budget")]
    actions = {
        str(r["Properties"]["AlarmActions"])
        for r in second["Resources"].values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    }
    assert len(actions) == 1 and ":sns:" in actions.pop() and "transcription-prod-alarms" in str(second)
    # The health alarm in shard 0 names shard 1's alarms, so shard 0 deploys after it.
    health = next(r for r in first["Resources"].values() if r["Type"] == "AWS::CloudWatch::CompositeAlarm")
    for name in second_alarms:
        assert f'ALARM("{name}")' in health["Properties"]["AlarmRule"]
    assert shards[1] in shards[0].dependencies
    for template in (first, second):
        assert "Fn::ImportValue" not in str(template)
        assert all("Export" not in o for o in template.get("Outputs", {}).values())
