"""Every table of every stage has exactly the alarms its billing mode calls for.

Expected values are written out here: the alarm list per billing mode (issue 3),
seed 000's throttle alarm (Sum over 300 s above 0), the stage caps and the
CloudWatch limits (10 metrics per alarm, 20 queries per PutMetricAlarm).
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import Synthesized
from tests.ops.helpers import ALARM, COMPOSITE, STAGES, SYSTEMS, alarms_by_name, ops_stack, ops_templates, resources

#: The on-demand caps of the stage configs (request units per second), or None.
CAPS = {"dev": (200, 100), "staging": (1000, 500), "prod": None}
#: CloudWatch hard limits: metrics per metric-math alarm; queries per PutMetricAlarm.
MAX_METRICS = 10
MAX_QUERIES = 20


def expected_alarms(system: str, stage: str, synth: Synthesized) -> set[str]:
    """Alarm names by the issue's rules, from each table's keys, GSIs and billing mode."""
    names: set[str] = set()
    for table, spec in synth.catalog.tables(system).items():
        p = f"{system}-{stage}-{table}"
        scopes = [p] + [f"{p}-gsi-{g.name}" for g in spec.gsis]
        for scope in scopes:
            names |= {f"{scope}-read-throttle", f"{scope}-write-throttle"}
            if spec.billing.mode == "provisioned":
                names |= {f"{scope}-read-utilization", f"{scope}-write-utilization"}
        names |= {f"{p}-system-errors", f"{p}-latency"}
        if spec.billing.mode == "on_demand" and CAPS[stage]:
            names |= {f"{p}-read-cap", f"{p}-write-cap"}
    return names


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("system", SYSTEMS)
def test_each_table_has_exactly_the_alarms_of_its_billing_mode(synth: Synthesized, system: str, stage: str) -> None:
    actual = set(alarms_by_name(synth.template(ops_stack(stage, system))))
    expected = expected_alarms(system, stage, synth)
    assert actual == expected, f"missing {sorted(expected - actual)[:5]}, unexpected {sorted(actual - expected)[:5]}"


def test_on_demand_tables_never_get_utilization_alarms(synth: Synthesized) -> None:
    on_demand = {
        f"{system}-{table}"
        for system in SYSTEMS
        for table, spec in synth.catalog.tables(system).items()
        if spec.billing.mode == "on_demand"
    }
    utilization = [
        name
        for template in ops_templates(synth.templates).values()
        for name in alarms_by_name(template)
        if "utilization" in name
    ]
    assert utilization, "the provisioned tables have utilization alarms"
    for name in utilization:
        system, stage, rest = name.split("-", 2)
        table = re.sub(r"(-gsi-.*)?-(read|write)-utilization$", "", rest)
        assert f"{system}-{table}" not in on_demand, name


def test_utilization_alarms_are_on_the_three_provisioned_tables_of_seed_000(synth: Synthesized) -> None:
    # 000: projects 5/2, leaderboard 10/3 (+ score-index), user-activity 2/5 (+ two GSIs).
    names = {n for n in alarms_by_name(synth.template("Prod/AuxeiraOps")) if "utilization" in n}
    scopes = {re.sub(r"-(read|write)-utilization$", "", n) for n in names}
    assert scopes == {
        "auxeira-prod-projects",
        "auxeira-prod-leaderboard",
        "auxeira-prod-leaderboard-gsi-score-index",
        "auxeira-prod-user-activity",
        "auxeira-prod-user-activity-gsi-user-event-type-index",
        "auxeira-prod-user-activity-gsi-dashboard-created-index",
    }
    assert len(names) == 12


def test_alarm_counts_by_hand(synth: Synthesized) -> None:
    # stackpro: 4 on-demand tables, no GSIs: 4 alarms each, +2 cap alarms where capped.
    # transcription: 3 on-demand tables, 2 GSIs (2 throttle alarms each).
    # auxeira: 29 tables x 4 + 22 GSIs x 2 + 12 utilization (+ 26 on-demand x 2 caps).
    counts = {
        (system, stage): len(alarms_by_name(synth.template(ops_stack(stage, system))))
        for system in SYSTEMS
        for stage in STAGES
    }
    assert counts[("stackpro", "prod")] == 16
    assert counts[("stackpro", "dev")] == 24
    assert counts[("transcription", "prod")] == 3 * 4 + 2 * 2
    assert counts[("transcription", "staging")] == 3 * 4 + 2 * 2 + 3 * 2
    assert counts[("auxeira", "prod")] == 29 * 4 + 22 * 2 + 12
    assert counts[("auxeira", "dev")] == 29 * 4 + 22 * 2 + 12 + 26 * 2


def test_every_alarm_notifies_the_systems_topic_on_alarm_and_ok(synth: Synthesized) -> None:
    checked = 0
    for name, template in ops_templates(synth.templates).items():
        topics = dict(resources(template, "AWS::SNS::Topic"))
        assert len(topics) == 1, f"{name}: one topic per system and stage"
        ((topic_id, topic),) = topics.items()
        stage, system = name.split("/")[0].lower(), name.split("/")[1].removesuffix("Ops").lower()
        assert topic["Properties"]["TopicName"] == f"{system}-{stage}-alarms"
        for alarm_name, alarm in alarms_by_name(template, ALARM, COMPOSITE).items():
            props = alarm["Properties"]
            assert alarm_name.startswith(f"{system}-{stage}-"), alarm_name
            assert props["ActionsEnabled"] is True, alarm_name
            assert props["AlarmActions"] == [{"Ref": topic_id}], alarm_name
            assert props["OKActions"] == [{"Ref": topic_id}], alarm_name
            checked += 1
    # 744 metric alarms (the counts below, summed) and 17 composites (auxeira dev and
    # staging need 3 parts + health, prod 2 + health; the six others one each).
    assert checked == (224 + 224 + 172 + 24 + 24 + 16 + 22 + 22 + 16) + (4 + 4 + 3 + 6)


def test_metric_math_stays_within_cloudwatch_limits(synth: Synthesized) -> None:
    math_alarms = 0
    for template in ops_templates(synth.templates).values():
        for name, alarm in alarms_by_name(template).items():
            queries = alarm["Properties"].get("Metrics")
            if not queries:
                continue
            math_alarms += 1
            metrics = [q for q in queries if "MetricStat" in q]
            expressions = [q for q in queries if "Expression" in q]
            assert 1 <= len(metrics) <= MAX_METRICS, name
            assert len(queries) <= MAX_QUERIES, name
            assert [q["ReturnData"] for q in queries].count(True) == 1, name
            assert len(expressions) == 1 and expressions[0]["ReturnData"] is True, name
            ids = [q["Id"] for q in queries]
            assert len(set(ids)) == len(ids), name
            # An expression names only the queries of its own alarm.
            named = set(re.findall(r"\b([a-z][A-Za-z0-9_]*)\b", expressions[0]["Expression"]))
            assert named - {"SUM", "FILL", "METRICS", "MAX", "PERIOD"} <= set(ids), name
    assert math_alarms > 0


def test_throttle_alarms_follow_seed_000(synth: Synthesized) -> None:
    # 000: --statistic Sum --period 300 --threshold 0 --comparison-operator GreaterThanThreshold
    alarm = alarms_by_name(synth.template("Prod/AuxeiraOps"))["auxeira-prod-leaderboard-read-throttle"]["Properties"]
    assert alarm["MetricName"] == "ReadThrottleEvents"  # 000 misspells it "ReadThrottledEvents"
    assert alarm["Namespace"] == "AWS/DynamoDB"
    assert (alarm["Statistic"], alarm["Period"], alarm["Threshold"]) == ("Sum", 300, 0)
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["Dimensions"] == [{"Name": "TableName", "Value": "auxeira-leaderboard-prod"}]
    gsi = alarms_by_name(synth.template("Prod/AuxeiraOps"))["auxeira-prod-leaderboard-gsi-score-index-write-throttle"]
    assert gsi["Properties"]["Dimensions"] == [
        {"Name": "TableName", "Value": "auxeira-leaderboard-prod"},
        {"Name": "GlobalSecondaryIndexName", "Value": "score-index"},
    ]


def test_system_errors_sum_the_seed_operations(synth: Synthesized) -> None:
    alarm = alarms_by_name(synth.template("Prod/StackproOps"))["stackpro-prod-messages-system-errors"]["Properties"]
    metrics = [q["MetricStat"] for q in alarm["Metrics"] if "MetricStat" in q]
    operations = {next(d["Value"] for d in m["Metric"]["Dimensions"] if d["Name"] == "Operation") for m in metrics}
    # The operations the seed documents use (grep of 000-004).
    assert operations == {
        "GetItem",
        "BatchGetItem",
        "Query",
        "Scan",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
    }
    assert {m["Metric"]["MetricName"] for m in metrics} == {"SystemErrors"}
    assert {m["Stat"] for m in metrics} == {"Sum"}
    expression = next(q["Expression"] for q in alarm["Metrics"] if "Expression" in q)
    assert expression == "SUM(FILL(METRICS(), 0))"


def test_latency_uses_a_percentile_cloudwatch_supports(synth: Synthesized) -> None:
    # DynamoDB's metrics reference lists Percentile among SuccessfulRequestLatency's statistics.
    alarm = alarms_by_name(synth.template("Prod/StackproOps"))["stackpro-prod-messages-latency"]["Properties"]
    stats = [q["MetricStat"] for q in alarm["Metrics"] if "MetricStat" in q]
    assert {s["Metric"]["MetricName"] for s in stats} == {"SuccessfulRequestLatency"}
    assert {s["Stat"] for s in stats} == {"p90"}
    assert len(stats) == 4
    assert alarm["Threshold"] == 50  # half of 000's "response times under 100ms"
    dev = alarms_by_name(synth.template("Dev/StackproOps"))["stackpro-dev-messages-latency"]["Properties"]
    assert dev["Threshold"] == 100


def test_on_demand_cap_alarms_fire_at_80_percent_of_the_stage_cap(synth: Synthesized) -> None:
    # Sum per 60 s against cap (units/s) x 60 s x 80%.
    dev = alarms_by_name(synth.template("Dev/StackproOps"))
    assert dev["stackpro-dev-messages-read-cap"]["Properties"]["Threshold"] == 200 * 60 * 0.8
    assert dev["stackpro-dev-messages-write-cap"]["Properties"]["Threshold"] == 100 * 60 * 0.8
    staging = alarms_by_name(synth.template("Staging/StackproOps"))
    assert staging["stackpro-staging-messages-read-cap"]["Properties"]["Threshold"] == 1000 * 60 * 0.8
    props = dev["stackpro-dev-messages-read-cap"]["Properties"]
    assert (props["MetricName"], props["Statistic"], props["Period"]) == ("ConsumedReadCapacityUnits", "Sum", 60)


def test_missing_data_is_treated_as_documented(synth: Synthesized) -> None:
    expected = {
        "read-throttle": "notBreaching",
        "write-throttle": "notBreaching",
        "system-errors": "notBreaching",
        "latency": "notBreaching",
        "read-cap": "notBreaching",
        "write-cap": "notBreaching",
        "read-utilization": "missing",
        "write-utilization": "missing",
    }
    seen = set()
    for template in ops_templates(synth.templates).values():
        for name, alarm in alarms_by_name(template).items():
            kind = next(k for k in sorted(expected, key=len, reverse=True) if name.endswith(k))
            assert alarm["Properties"]["TreatMissingData"] == expected[kind], name
            seen.add(kind)
    assert seen == set(expected)


def test_utilization_is_consumed_per_second_over_provisioned(synth: Synthesized) -> None:
    alarm = alarms_by_name(synth.template("Prod/AuxeiraOps"))[
        "auxeira-prod-leaderboard-gsi-score-index-read-utilization"
    ]
    props = alarm["Properties"]
    by_id = {q["Id"]: q for q in props["Metrics"]}
    assert by_id["consumed"]["MetricStat"]["Metric"]["MetricName"] == "ConsumedReadCapacityUnits"
    assert by_id["consumed"]["MetricStat"]["Stat"] == "Sum"
    assert by_id["provisioned"]["MetricStat"]["Metric"]["MetricName"] == "ProvisionedReadCapacityUnits"
    assert {"Name": "GlobalSecondaryIndexName", "Value": "score-index"} in by_id["consumed"]["MetricStat"]["Metric"][
        "Dimensions"
    ]
    assert by_id["e1"]["Expression"] == "100 * (FILL(consumed, 0) / PERIOD(consumed)) / provisioned"
    assert props["Threshold"] == 80
