"""Every table of every stage has exactly the alarms its billing mode, its grants and its stage call for.

Expected values are written out here: what each stage watches (issue 14, README
"Operations"), the operations each table's consumers are granted (expanded from
the catalog's access matrix by README "Access"'s levels, in this file), seed
000's throttle alarm (Sum over 300 s above 0), the stage caps and the CloudWatch
limits (10 metrics per alarm, 20 queries per PutMetricAlarm).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Synthesized
from tests.ops.helpers import ALARM, COMPOSITE, STAGES, SYSTEMS, alarms_by_name, ops_stack, ops_templates, resources

#: The on-demand caps of the stage configs (request units per second), or None.
CAPS = {"dev": (200, 100), "staging": (1000, 500), "prod": None}
#: What each stage watches besides the throttles of every table (README "Operations", issue 14).
WATCHES = {
    "dev": set(),
    "staging": {"gsi throttles", "latency", "utilization", "caps"},
    "prod": {"gsi throttles", "errors", "latency", "utilization", "replication"},
}
#: SystemErrors: the operations the seed documents use (grep of 000-004); latency: the main four.
ERROR_OPERATIONS = ("GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem")
LATENCY_OPERATIONS = ("GetItem", "Query", "PutItem", "UpdateItem")
#: README "Access": what an access level allows.
LEVELS = {
    "read": {"GetItem", "BatchGetItem", "Query"},
    "write": {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"},
}
LEVELS["read-write"] = LEVELS["read"] | LEVELS["write"]
#: CloudWatch hard limits: metrics per metric-math alarm; queries per PutMetricAlarm.
MAX_METRICS = 10
MAX_QUERIES = 20


def granted(synth: Synthesized, system: str) -> dict[str, set[str]]:
    """Table -> the operations its consumers may call, read from each grant's fields.

    A query on an index is the table's ``Query`` in CloudWatch; ``scan: true`` adds Scan.
    """
    out: dict[str, set[str]] = {}
    for consumer in synth.catalog.consumers(system).values():
        for grant in consumer.access:
            ops = out.setdefault(grant.table, set())
            ops |= LEVELS[grant.level] if grant.level else set(grant.actions or ())
            ops |= {"Query"} if grant.indexes else set()
            ops |= {"Scan"} if grant.scan else set()
    return out


def watched(wanted: tuple[str, ...], ops: set[str]) -> list[str]:
    return [op for op in wanted if op in ops]


def expected_alarms(system: str, stage: str, synth: Synthesized) -> set[str]:
    """Alarm names by the issue's rules, from each table's keys, GSIs, billing mode and grants."""
    watch = WATCHES[stage]
    ops = granted(synth, system)
    names: set[str] = set()
    for table, spec in synth.catalog.tables(system).items():
        p = f"{system}-{stage}-{table}"
        gsis = [f"{p}-gsi-{g.name}" for g in spec.gsis]
        for scope in [p] + (gsis if "gsi throttles" in watch else []):
            names |= {f"{scope}-read-throttle", f"{scope}-write-throttle"}
        if spec.billing.mode == "provisioned" and "utilization" in watch:
            names |= {f"{scope}-{unit}-utilization" for scope in [p, *gsis] for unit in ("read", "write")}
        if "errors" in watch and watched(ERROR_OPERATIONS, ops.get(table, set())):
            names.add(f"{p}-system-errors")
        if "latency" in watch and watched(LATENCY_OPERATIONS, ops.get(table, set())):
            names.add(f"{p}-latency")
        if spec.billing.mode == "on_demand" and CAPS[stage] and "caps" in watch:
            names |= {f"{p}-read-cap", f"{p}-write-cap"}
    return names


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("system", SYSTEMS)
def test_each_table_has_exactly_the_alarms_of_its_stage_billing_mode_and_grants(
    synth: Synthesized, system: str, stage: str
) -> None:
    actual = set(alarms_by_name(synth.template(ops_stack(stage, system))))
    expected = expected_alarms(system, stage, synth)
    assert actual == expected, f"missing {sorted(expected - actual)[:5]}, unexpected {sorted(actual - expected)[:5]}"


def _operations(alarm: dict[str, Any]) -> list[str]:
    return [
        next(d["Value"] for d in q["MetricStat"]["Metric"]["Dimensions"] if d["Name"] == "Operation")
        for q in alarm["Properties"]["Metrics"]
        if "MetricStat" in q
    ]


@pytest.mark.parametrize(
    ("stage", "kind", "wanted"),
    [
        ("prod", "system-errors", ERROR_OPERATIONS),
        ("prod", "latency", LATENCY_OPERATIONS),
        ("staging", "latency", LATENCY_OPERATIONS),
    ],
)
@pytest.mark.parametrize("system", SYSTEMS)
def test_errors_and_latency_cover_exactly_the_granted_operations(
    synth: Synthesized, system: str, stage: str, kind: str, wanted: tuple[str, ...]
) -> None:
    alarms = alarms_by_name(synth.template(ops_stack(stage, system)))
    ops = granted(synth, system)
    checked = 0
    for table in synth.catalog.tables(system):
        expected = watched(wanted, ops.get(table, set()))
        alarm = alarms.get(f"{system}-{stage}-{table}-{kind}")
        assert (_operations(alarm) if alarm else []) == expected, table
        checked += bool(expected)
    assert checked


def test_a_table_only_queried_and_put_gets_no_getitem_scan_or_batchgetitem_alarm(synth: Synthesized) -> None:
    # auxeira notifications: its consumers may Query, PutItem, UpdateItem and BatchWriteItem, nothing else;
    # transcription usage: PutItem only (004's usage log).
    prod = alarms_by_name(synth.template("Prod/AuxeiraOps"))
    for kind in ("system-errors", "latency"):
        ops = _operations(prod[f"auxeira-prod-notifications-{kind}"])
        assert not {"GetItem", "Scan", "BatchGetItem"} & set(ops), (kind, ops)
    assert _operations(prod["auxeira-prod-notifications-system-errors"]) == [
        "Query",
        "PutItem",
        "UpdateItem",
        "BatchWriteItem",
    ]
    usage = alarms_by_name(synth.template("Prod/TranscriptionOps"))
    assert _operations(usage["transcription-prod-usage-system-errors"]) == ["PutItem"]
    assert _operations(usage["transcription-prod-usage-latency"]) == ["PutItem"]


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


@pytest.mark.parametrize("stage", ["staging", "prod"])
def test_utilization_alarms_are_on_the_three_provisioned_tables_of_seed_000(synth: Synthesized, stage: str) -> None:
    # 000: projects 5/2, leaderboard 10/3 (+ score-index), user-activity 2/5 (+ two GSIs).
    names = {n for n in alarms_by_name(synth.template(ops_stack(stage, "auxeira"))) if "utilization" in n}
    scopes = {re.sub(r"-(read|write)-utilization$", "", n) for n in names}
    assert scopes == {
        f"auxeira-{stage}-projects",
        f"auxeira-{stage}-leaderboard",
        f"auxeira-{stage}-leaderboard-gsi-score-index",
        f"auxeira-{stage}-user-activity",
        f"auxeira-{stage}-user-activity-gsi-user-event-type-index",
        f"auxeira-{stage}-user-activity-gsi-dashboard-created-index",
    }
    assert len(names) == 12


def test_alarm_counts_by_hand(synth: Synthesized) -> None:
    # dev: 2 throttle alarms per table (auxeira 29, stackpro 4, transcription 3 tables).
    # staging: throttles on tables and GSIs, latency on every table (each has a granted main
    # operation), 12 utilization alarms on auxeira's 6 provisioned scopes, 2 caps per on-demand table.
    # prod: throttles on tables and GSIs, errors and latency on every table, utilization.
    counts = {
        (system, stage): len(alarms_by_name(synth.template(ops_stack(stage, system))))
        for system in SYSTEMS
        for stage in STAGES
    }
    assert counts == {
        ("auxeira", "dev"): 29 * 2,
        ("stackpro", "dev"): 4 * 2,
        ("transcription", "dev"): 3 * 2,
        ("auxeira", "staging"): (29 + 22) * 2 + 29 + 12 + 26 * 2,  # 195
        ("stackpro", "staging"): 4 * 2 + 4 + 4 * 2,  # 20
        ("transcription", "staging"): (3 + 2) * 2 + 3 + 3 * 2,  # 19
        ("auxeira", "prod"): (29 + 22) * 2 + 29 + 29 + 12,  # 172
        ("stackpro", "prod"): 4 * 2 + 4 + 4,  # 16
        ("transcription", "prod"): (3 + 2) * 2 + 3 + 3,  # 16
    }


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
    # 510 metric alarms (the counts above, summed) and 13 composites (auxeira staging and prod
    # need 2 parts + health, above 100 alarms; the seven others one each).
    assert checked == (58 + 8 + 6) + (195 + 20 + 19) + (172 + 16 + 16) + (3 + 3 + 7)


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


def test_system_errors_sum_the_granted_seed_operations(synth: Synthesized) -> None:
    alarm = alarms_by_name(synth.template("Prod/StackproOps"))["stackpro-prod-messages-system-errors"]["Properties"]
    metrics = [q["MetricStat"] for q in alarm["Metrics"] if "MetricStat" in q]
    # 002's express-api has read-write on messages (no scan: true), so 7 of the 8 seed operations.
    assert _operations({"Properties": alarm}) == [op for op in ERROR_OPERATIONS if op != "Scan"]
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
    staging = alarms_by_name(synth.template("Staging/StackproOps"))["stackpro-staging-messages-latency"]
    assert staging["Properties"]["Threshold"] == 50
    assert "stackpro-dev-messages-latency" not in alarms_by_name(synth.template("Dev/StackproOps"))


def test_on_demand_cap_alarms_fire_at_80_percent_of_the_staging_cap(synth: Synthesized) -> None:
    # Sum per 60 s against cap (units/s) x 60 s x 80%.
    staging = alarms_by_name(synth.template("Staging/StackproOps"))
    assert staging["stackpro-staging-messages-read-cap"]["Properties"]["Threshold"] == 1000 * 60 * 0.8
    assert staging["stackpro-staging-messages-write-cap"]["Properties"]["Threshold"] == 500 * 60 * 0.8
    props = staging["stackpro-staging-messages-read-cap"]["Properties"]
    assert (props["MetricName"], props["Statistic"], props["Period"]) == ("ConsumedReadCapacityUnits", "Sum", 60)
    # Dev has a cap too (200/100) but no cap alarm: its throttle alarms fire when the cap bites.
    assert not [n for n in alarms_by_name(synth.template("Dev/StackproOps")) if n.endswith("-cap")]


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
