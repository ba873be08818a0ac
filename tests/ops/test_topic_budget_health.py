"""Topic and key policies, budgets, the system-health composite and the dashboards."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.conftest import Synthesized
from tests.ops.helpers import ALARM, COMPOSITE, STAGES, SYSTEMS, alarms_by_name, logical_id_of, ops_stack, resources

PUBLISHERS = {"cloudwatch.amazonaws.com", "budgets.amazonaws.com"}
#: Seeds: 002 "$5 limit"; 000 "monthly costs under $50"; 004 DynamoDB "$15-25" (the top).
BUDGETS = {"stackpro": 5, "auxeira": 50, "transcription": 25}
#: 002: "Budget alerts: $5 threshold with 50%/80%/100% warnings", and 100% forecasted.
NOTIFICATIONS = {("ACTUAL", 50), ("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 100)}
#: KMS actions that use a key for data; only the two publishers may hold any of them.
CRYPTO_ACTIONS = re.compile(r"^kms:(\*|Encrypt|Decrypt|ReEncrypt.*|GenerateDataKey.*)$")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _service_principals(statement: dict[str, Any]) -> set[str]:
    principal = statement["Principal"]
    return set(_as_list(principal.get("Service", []))) if isinstance(principal, dict) else set()


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("system", SYSTEMS)
def test_topic_policy_lets_only_cloudwatch_and_budgets_publish(synth: Synthesized, system: str, stage: str) -> None:
    template = synth.template(ops_stack(stage, system))
    topic_id = logical_id_of(template, "AWS::SNS::Topic")
    ((_, policy),) = resources(template, "AWS::SNS::TopicPolicy")
    assert policy["Properties"]["Topics"] == [{"Ref": topic_id}]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allows) == 1
    assert _service_principals(allows[0]) == PUBLISHERS
    assert set(allows[0]["Principal"]) == {"Service"}
    assert _as_list(allows[0]["Action"]) == ["sns:Publish"]
    assert allows[0]["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    denies = [s for s in statements if s["Effect"] == "Deny"]
    assert [d["Condition"] for d in denies] == [{"Bool": {"aws:SecureTransport": "false"}}]


@pytest.mark.parametrize("system", SYSTEMS)
def test_topic_is_encrypted_with_a_key_only_the_publishers_use(synth: Synthesized, system: str) -> None:
    template = synth.template(ops_stack("prod", system))
    key_id = logical_id_of(template, "AWS::KMS::Key")
    ((_, topic),) = resources(template, "AWS::SNS::Topic")
    assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    key = template["Resources"][key_id]["Properties"]
    assert key["EnableKeyRotation"] is True
    allows = [s for s in key["KeyPolicy"]["Statement"] if s["Effect"] == "Allow"]
    services = set().union(*(_service_principals(s) for s in allows))
    assert services == PUBLISHERS
    publisher = next(s for s in allows if _service_principals(s))
    assert set(_as_list(publisher["Action"])) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    # The account may administer the key (KMS requires someone to), but never use it.
    others = [s for s in allows if not _service_principals(s)]
    assert len(others) == 1
    assert others[0]["Principal"]["AWS"] == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":root"]]
    }
    assert not [a for a in _as_list(others[0]["Action"]) if CRYPTO_ACTIONS.match(a)]


def test_topic_has_no_subscriptions_by_default(synth: Synthesized) -> None:
    for system in SYSTEMS:
        for stage in STAGES:
            assert not list(resources(synth.template(ops_stack(stage, system)), "AWS::SNS::Subscription"))


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("system", SYSTEMS)
def test_monthly_cost_budget_per_system_and_stage(synth: Synthesized, system: str, stage: str) -> None:
    template = synth.template(ops_stack(stage, system))
    ((_, budget),) = resources(template, "AWS::Budgets::Budget")
    data = budget["Properties"]["Budget"]
    assert (data["BudgetType"], data["TimeUnit"]) == ("COST", "MONTHLY")
    assert data["BudgetLimit"] == {"Amount": BUDGETS[system], "Unit": "USD"}
    assert data["BudgetName"] == f"{system}-{stage}-monthly"
    # Both cost-allocation tags must match (AND), not either of them.
    assert data["FilterExpression"] == {
        "And": [
            {"Tags": {"Key": "system", "Values": [system], "MatchOptions": ["EQUALS"]}},
            {"Tags": {"Key": "stage", "Values": [stage], "MatchOptions": ["EQUALS"]}},
        ]
    }
    assert "CostFilters" not in data
    topic_id = logical_id_of(template, "AWS::SNS::Topic")
    seen = set()
    for entry in budget["Properties"]["NotificationsWithSubscribers"]:
        n = entry["Notification"]
        assert (n["ComparisonOperator"], n["ThresholdType"]) == ("GREATER_THAN", "PERCENTAGE")
        assert entry["Subscribers"] == [{"SubscriptionType": "SNS", "Address": {"Ref": topic_id}}]
        seen.add((n["NotificationType"], n["Threshold"]))
    assert seen == NOTIFICATIONS
    assert len(budget["Properties"]["NotificationsWithSubscribers"]) == 4


def _rule_names(rule: str) -> list[str]:
    return re.findall(r'ALARM\("([^"]+)"\)', rule)


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("system", SYSTEMS)
def test_one_system_health_composite_covers_every_alarm(synth: Synthesized, system: str, stage: str) -> None:
    template = synth.template(ops_stack(stage, system))
    composites = alarms_by_name(template, COMPOSITE)
    health = composites.pop(f"{system}-{stage}-system-health")
    metric_alarms = alarms_by_name(template, ALARM)
    ids = {r["Properties"]["AlarmName"]: logical_id for logical_id, r in resources(template, ALARM, COMPOSITE)}
    named = _rule_names(health["Properties"]["AlarmRule"])
    covered: set[str] = set()
    if composites:  # more than 100 alarms: health names the parts, the parts name the alarms
        assert set(named) == set(composites)
        for part in composites.values():
            names = _rule_names(part["Properties"]["AlarmRule"])
            assert len(names) <= 100  # CloudWatch: at most 100 alarms in a composite rule
            assert set(part["DependsOn"]) >= {ids[n] for n in names}
            covered |= set(names)
    else:
        covered = set(named)
    assert len(named) <= 100
    assert set(health["DependsOn"]) >= {ids[n] for n in named}
    assert covered == set(metric_alarms)


def test_auxeiras_195_staging_alarms_need_two_health_parts(synth: Synthesized) -> None:
    composites = alarms_by_name(synth.template("Staging/AuxeiraOps"), COMPOSITE)
    assert sorted(composites) == [
        "auxeira-staging-health-part-1",
        "auxeira-staging-health-part-2",
        "auxeira-staging-system-health",
    ]
    # Dev's 58 throttle alarms fit one rule: the health alarm names them directly.
    assert sorted(alarms_by_name(synth.template("Dev/AuxeiraOps"), COMPOSITE)) == ["auxeira-dev-system-health"]


def _dashboard(template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ((_, dashboard),) = resources(template, "AWS::CloudWatch::Dashboard")
    props = dashboard["Properties"]
    return props["DashboardName"], json.loads(props["DashboardBody"]["Fn::Sub"])


@pytest.mark.parametrize("system", SYSTEMS)
def test_one_prod_dashboard_with_four_graphs_per_table(synth: Synthesized, system: str) -> None:
    # Every table of the three systems has consumers granted main operations, so all four graphs.
    name, body = _dashboard(synth.template(ops_stack("prod", system)))
    assert name == f"{system}-prod"
    titles = [w["properties"]["title"] for w in body["widgets"] if w["type"] == "metric"]
    expected = [
        f"{table}: {graph}"
        for table in synth.catalog.tables(system)
        for graph in ("throttle events", "latency p90 (ms)", "consumed capacity", "system errors")
    ]
    assert titles == expected
    assert {w["properties"]["region"] for w in body["widgets"] if w["type"] == "metric"} == {"${AWS::Region}"}


@pytest.mark.parametrize("stage", ["dev", "staging"])
@pytest.mark.parametrize("system", SYSTEMS)
def test_dev_and_staging_have_no_dashboard(synth: Synthesized, system: str, stage: str) -> None:
    # $3.00 a month each before the free tier: stackpro's whole budget is $5 (002).
    assert not list(resources(synth.template(ops_stack(stage, system)), "AWS::CloudWatch::Dashboard"))


def test_dashboard_throttle_graph_shows_each_gsi(synth: Synthesized) -> None:
    _, body = _dashboard(synth.template("Prod/TranscriptionOps"))
    users = next(w for w in body["widgets"] if w["properties"].get("title") == "users: throttle events")
    rows = users["properties"]["metrics"]
    assert rows[2][:6] == [
        "AWS/DynamoDB",
        "ReadThrottleEvents",
        "TableName",
        "transcription-users-prod",
        "GlobalSecondaryIndexName",
        "email-index",
    ]
    assert len(rows) == 4


def test_health_rules_respect_both_composite_limits() -> None:
    from cdk_constructs.monitoring import health_rules

    # 100 names per rule (CloudWatch's limit of alarms in a composite rule).
    short = [f"alarm-{i:03d}" for i in range(250)]
    assert [len(g) for g in health_rules(short)] == [100, 100, 50]
    # 10,240 characters per rule: ALARM("<250 chars>") is 259 characters, joined by " OR ",
    # so 38 fit (38 * 259 + 37 * 4 = 9,990; 39 would be 10,253).
    long = [f"{i:03d}".ljust(250, "x") for i in range(100)]
    groups = health_rules(long)
    assert [len(g) for g in groups] == [38, 38, 24]
    assert [n for g in groups for n in g] == long
