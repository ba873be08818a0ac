"""Hand-computed prices, to the cent, from ../shared/PRICING.md (us-east-1, 730 h/month).

PRICING.md figures used below:
  on-demand  RRU $0.125/M, WRU $0.625/M; Standard-IA RRU $0.155/M, WRU $0.78/M
  provisioned RCU $0.00013/h, WCU $0.00065/h
  storage Standard $0.25/GB-month, Standard-IA $0.10/GB-month; PITR $0.20/GB-month
  replicated WRU $0.625/M
  CloudWatch alarm $0.10 (first 10 free), high-resolution $0.30, composite $0.50, dashboard $3.00 (first 3 free)
  SNS publishes $0.50/M (first 1M free), email $2.00/100k; budget with actions $0.10/budget-day (62 free)
  free tier: 25 GB Standard storage, 25 RCU + 25 WCU
Every expected value is written as the arithmetic, never copied from the estimator's output.
"""

from __future__ import annotations

import copy
from decimal import Decimal as D

import pytest

from cost.prices import load_price_book, parse_price_book
from tableforge.errors import TableforgeError
from tests.cost.helpers import cents, classic_table, component, global_table, gsi, run, table_entry

H = D(730)


def test_on_demand_global_table_with_two_gsis() -> None:
    resources = {"OrdersTable": global_table("shop", "orders", gsis=[gsi("by-customer"), gsi("by-status")])}
    usage = {
        "shop/orders": {
            "monthly_read_request_units": 40_000_000,
            "monthly_write_request_units": 10_000_000,
            "storage_gb": 50,
            "indexes": {
                "by-customer": {
                    "monthly_read_request_units": 2_000_000,
                    "monthly_write_request_units": 4_000_000,
                    "storage_gb": 10,
                }
                # by-status has no usage: every base write is assumed to write it once.
            },
        }
    }
    result = run(resources, usage)
    entry = table_entry(result, "orders")

    reads = D("40") * D("0.125")  # 40 M RRU -> $5.00
    writes = D("10") * D("0.625")  # 10 M WRU -> $6.25
    by_customer = D("2") * D("0.125") + D("4") * D("0.625") + 10 * D("0.25")  # 0.25 + 2.50 + 2.50 = 5.25
    by_status = D("10") * D("0.625")  # assumed 10 M index writes -> $6.25
    storage = 50 * D("0.25")  # $12.50
    pitr = 50 * D("0.20")  # PITR on (default), on storage_gb -> $10.00
    expected = reads + writes + by_customer + by_status + storage + pitr  # $45.25
    assert expected == D("45.25")

    assert cents(component(entry, "reads")["monthly_usd"]) == cents(reads)
    assert cents(component(entry, "writes")["monthly_usd"]) == cents(writes)
    assert cents(component(entry, "gsi by-customer")["monthly_usd"]) == cents(by_customer)
    assert cents(component(entry, "gsi by-status")["monthly_usd"]) == cents(by_status)
    assert cents(component(entry, "storage")["monthly_usd"]) == cents(storage)
    assert cents(component(entry, "pitr")["monthly_usd"]) == cents(pitr)
    assert cents(entry["monthly_usd"]) == cents(expected)
    assert entry["billing_mode"] == "on_demand"
    assert any("shop/orders index by-status" in a and "writes the index once" in a for a in result["assumptions"])
    assert not any("by-customer" in a for a in result["assumptions"])


def test_provisioned_fixed_classic_table_pitr_off_then_on() -> None:
    def table(pitr: bool) -> dict:
        return {
            "Ledger": classic_table(
                "shop", "ledger", pitr=pitr, ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 5}
            )
        }

    usage = {"shop/ledger": {"storage_gb": 2}}
    rcu = 10 * H * D("0.00013")  # $0.949
    wcu = 5 * H * D("0.00065")  # $2.3725
    storage = 2 * D("0.25")  # $0.50
    off = run(table(False), usage)
    entry = table_entry(off, "ledger")
    assert "monthly_usd_min" not in entry  # fixed capacity is one figure, not a range
    assert cents(entry["monthly_usd"]) == cents(rcu + wcu + storage) == D("3.82")
    assert "pitr" not in [c["name"] for c in entry["components"]]

    on = table_entry(run(table(True), usage), "ledger")
    pitr = 2 * D("0.20")  # $0.40
    assert cents(component(on, "pitr")["monthly_usd"]) == cents(pitr)
    assert cents(on["monthly_usd"]) == cents(rcu + wcu + storage + pitr) == D("4.22")


def test_provisioned_autoscaled_global_table_is_a_range_with_expected_value() -> None:
    autoscale_write = {
        "WriteCapacityAutoScalingSettings": {
            "MinCapacity": 5,
            "MaxCapacity": 20,
            "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70},
        }
    }
    index_write = {
        "WriteCapacityAutoScalingSettings": {
            "MinCapacity": 1,
            "MaxCapacity": 10,
            "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70},
        }
    }
    resources = {
        "ScoresTable": global_table(
            "game",
            "scores",
            billing="PROVISIONED",
            pitr=False,
            gsis=[gsi("by-score", WriteProvisionedThroughputSettings=index_write)],
            replicas=[
                {
                    "Region": "us-east-1",
                    "ReadProvisionedThroughputSettings": {"ReadCapacityUnits": 4},
                    "GlobalSecondaryIndexes": [
                        {"IndexName": "by-score", "ReadProvisionedThroughputSettings": {"ReadCapacityUnits": 2}}
                    ],
                }
            ],
            WriteProvisionedThroughputSettings=autoscale_write,
        )
    }
    # 7 WCU consumed on average over the month; at a 70% target autoscaling holds 10 WCU.
    consumed_writes = 7 * 730 * 3600  # 18,396,000 write units
    result = run(resources, {"game/scores": {"storage_gb": 1, "monthly_write_request_units": consumed_writes}})
    entry = table_entry(result, "scores")

    reads = 4 * H * D("0.00013")  # $0.3796
    index_reads = 2 * H * D("0.00013")  # $0.1898
    storage = 1 * D("0.25")
    low = (
        reads + 5 * H * D("0.00065") + index_reads + 1 * H * D("0.00065") + storage
    )  # 0.3796+2.3725+0.1898+0.4745+0.25
    high = (
        reads + 20 * H * D("0.00065") + index_reads + 10 * H * D("0.00065") + storage
    )  # 0.3796+9.49+0.1898+4.745+0.25
    expected = reads + 10 * H * D("0.00065") + index_reads + 1 * H * D("0.00065") + storage  # writes at 10 WCU
    assert (low, high, expected) == (D("3.6664"), D("15.0544"), D("6.0389"))

    assert "monthly_usd" not in entry
    assert cents(entry["monthly_usd_min"]) == cents(low)
    assert cents(entry["monthly_usd_max"]) == cents(high)
    assert cents(entry["monthly_usd_expected"]) == cents(expected)
    writes = component(entry, "writes")
    assert (cents(writes["monthly_usd_min"]), cents(writes["monthly_usd_max"])) == (D("2.37"), D("9.49"))
    # Two target-tracking policies (the table's writes and by-score's): Application Auto Scaling creates
    # 2 alarms each by the DynamoDB Developer Guide, 4 as DescribeScalingPolicies lists them, at $0.10.
    scaling_low, scaling_high = 2 * 2 * D("0.10"), 2 * 4 * D("0.10")  # $0.40-$0.80, in the monitoring line
    [monitoring] = result["monitoring"]
    assert (D(monitoring["monthly_usd_min"]), D(monitoring["monthly_usd_max"])) == (scaling_low, scaling_high)
    assert cents(result["total_monthly_usd_min"]) == cents(low + scaling_low) == D("4.07")
    assert cents(result["total_monthly_usd_max"]) == cents(high + scaling_high) == D("15.85")


def test_standard_ia_uses_ia_prices_and_says_they_are_unverified() -> None:
    resources = {"ArchiveTable": global_table("shop", "archive", pitr=False, table_class="STANDARD_INFREQUENT_ACCESS")}
    usage = {
        "ArchiveTable": {  # by logical ID this time
            "monthly_read_request_units": 1_000_000,
            "monthly_write_request_units": 1_000_000,
            "storage_gb": 100,
        }
    }
    result = run(resources, usage)
    entry = table_entry(result, "archive")
    # 1 M x $0.155/M + 1 M x $0.78/M + 100 GB x $0.10 = 0.155 + 0.78 + 10.00 = 10.935
    expected = D("0.155") + D("0.78") + 100 * D("0.10")
    assert D(entry["monthly_usd"]) == expected
    assert cents(entry["monthly_usd"]) == D("10.94")
    assert entry["table_class"] == "STANDARD_INFREQUENT_ACCESS"
    assert any("Standard-IA" in a and "unverified" in a for a in result["assumptions"])
    # Standard-IA storage is not part of the 25 GB free tier (that is Standard class only).
    assert result["free_tier"] == []


def _book_with_us_west_2():
    """PRICING.md has us-east-1 only; the test adds us-west-2 with the same PRICING.md figures."""
    import json

    from cost.prices import DEFAULT_PRICES

    data = json.loads(DEFAULT_PRICES.read_text())
    data["regions"]["us-west-2"] = copy.deepcopy(data["regions"]["us-east-1"])
    return parse_price_book(data, path="test-prices.json")


def test_replica_region_bills_replicated_writes_storage_and_pitr() -> None:
    resources = {
        "EventsTable": global_table(
            "shop", "events", gsis=[gsi("by-day")], replicas=[{"Region": "us-east-1"}, {"Region": "us-west-2"}]
        )
    }
    usage = {
        "shop/events": {
            "monthly_read_request_units": 1_000_000,
            "monthly_write_request_units": 2_000_000,
            "storage_gb": 10,
            "indexes": {"by-day": {"monthly_write_request_units": 1_000_000, "storage_gb": 2}},
        }
    }
    result = run(resources, usage, book=_book_with_us_west_2())
    entry = table_entry(result, "events")

    home = (
        1 * D("0.125")  # reads
        + 2 * D("0.625")  # writes
        + (1 * D("0.625") + 2 * D("0.25"))  # GSI: 1 M writes + 2 GB
        + 10 * D("0.25")  # storage
        + 10 * D("0.20")  # PITR
    )  # 0.125 + 1.25 + 1.125 + 2.5 + 2.0 = 7.00
    replica = (
        (2 + 1) * D("0.625")  # replicated writes, table + GSI: 3 M rWRU -> 1.875
        + (10 + 2) * D("0.25")  # storage of table + GSI in us-west-2 -> 3.00
        + 10 * D("0.20")  # PITR in us-west-2 -> 2.00
    )  # 6.875
    assert (home, replica) == (D("7.000"), D("6.875"))
    assert cents(component(entry, "replica us-west-2")["monthly_usd"]) == cents(replica)
    assert cents(entry["monthly_usd"]) == cents(home + replica) == D("13.88")
    assert entry["replica_regions"] == ["us-west-2"]


def test_replica_in_a_region_without_prices_is_named_and_the_rest_is_priced() -> None:
    """PRICING.md has us-east-1 only: a replica in eu-west-1 is unpriced, its table and the rest are not."""
    resources = {
        "EventsTable": global_table("shop", "events", replicas=[{"Region": "us-east-1"}, {"Region": "eu-west-1"}]),
        "OrdersTable": global_table("shop", "orders", pitr=False),
    }
    usage = {
        "shop/events": {"monthly_write_request_units": 2_000_000, "storage_gb": 10},
        "shop/orders": {"storage_gb": 4},
    }
    result = run(resources, usage)
    events = table_entry(result, "events")
    home = 2 * D("0.625") + 10 * D("0.25") + 10 * D("0.20")  # writes 1.25 + storage 2.50 + PITR 2.00 = 5.75
    assert D(events["monthly_usd"]) == home
    assert [c["name"] for c in events["components"]] == ["reads", "writes", "storage", "pitr"]
    [part] = events["unpriced"]
    assert (part["what"], part["region"]) == ("replica eu-west-1", "eu-west-1")
    assert "no prices for region 'eu-west-1'" in part["reason"] and "--refresh-prices" in part["reason"]
    assert D(table_entry(result, "orders")["monthly_usd"]) == 4 * D("0.25")  # $1.00, untouched
    assert D(result["total_monthly_usd"]) == home + 4 * D("0.25")  # $6.75, what can be priced
    [named] = result["unpriced"]
    assert (named["system"], named["table"], named["logical_id"]) == ("shop", "events", "EventsTable")
    assert any("lower bounds" in a for a in result["assumptions"])
    with pytest.raises(TableforgeError, match="no prices for region 'ap-south-1'"):
        load_price_book().region("ap-south-1")


def test_a_table_whose_own_region_has_no_prices_is_named_not_priced() -> None:
    resources = {
        "Far": global_table("shop", "far", replicas=[{"Region": "sa-east-1"}]),
        "Near": global_table("shop", "near", pitr=False),
    }
    result = run(resources, {"shop/near": {"storage_gb": 2}})
    assert [t["table"] for t in result["tables"]] == ["near"]
    assert [(u["table"], u["what"], u["region"]) for u in result["unpriced"]] == [("far", "table", "sa-east-1")]
    assert D(result["total_monthly_usd"]) == 2 * D("0.25")


def test_table_alongside_global_table_and_unknown_types_are_skipped() -> None:
    resources = {
        "OrdersTable": global_table("shop", "orders", pitr=False),
        "Ledger": classic_table("shop", "ledger", BillingMode="PAY_PER_REQUEST", pitr=True),
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {}},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Param": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "x"}},
    }
    usage = {
        "shop/orders": {
            "monthly_read_request_units": 8_000_000,
            "monthly_write_request_units": 1_000_000,
            "storage_gb": 4,
        },
        "Ledger": {"monthly_read_request_units": 4_000_000, "monthly_write_request_units": 2_000_000, "storage_gb": 4},
    }
    result = run(resources, usage)
    orders = 8 * D("0.125") + 1 * D("0.625") + 4 * D("0.25")  # 1.00 + 0.625 + 1.00 = 2.625, PITR off
    ledger = 4 * D("0.125") + 2 * D("0.625") + 4 * D("0.25") + 4 * D("0.20")  # 0.50 + 1.25 + 1.00 + 0.80 = 3.55
    assert cents(table_entry(result, "orders")["monthly_usd"]) == cents(orders) == D("2.63")
    assert cents(table_entry(result, "ledger")["monthly_usd"]) == cents(ledger) == D("3.55")
    assert {t["type"] for t in result["tables"]} == {"AWS::DynamoDB::GlobalTable", "AWS::DynamoDB::Table"}
    assert cents(result["total_monthly_usd"]) == cents(orders + ledger) == D("6.18")
    assert sorted((s["logical_id"], s["type"]) for s in result["skipped"]) == [
        ("Fn", "AWS::Lambda::Function"),
        ("Queue", "AWS::SQS::Queue"),
    ]
    assert result["no_charge"] == {"AWS::SSM::Parameter": 1}


def test_monitoring_line_and_its_free_tier() -> None:
    resources: dict = {
        f"Alarm{i}": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Period": 300}} for i in range(12)
    }
    resources.update(
        {
            "FastAlarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Period": 10}},
            "Health": {"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": {"AlarmRule": "ALARM(Alarm1)"}},
            "Dash1": {"Type": "AWS::CloudWatch::Dashboard", "Properties": {"DashboardBody": '{"widgets": []}'}},
            "Dash2": {"Type": "AWS::CloudWatch::Dashboard", "Properties": {"DashboardBody": '{"widgets": []}'}},
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
            "Plain": {"Type": "AWS::Budgets::Budget", "Properties": {"Budget": {"BudgetName": "plain"}}},
            "Guarded": {"Type": "AWS::Budgets::Budget", "Properties": {"Budget": {"BudgetName": "guarded"}}},
            "Action": {"Type": "AWS::Budgets::BudgetsAction", "Properties": {"BudgetName": {"Ref": "Guarded"}}},
        }
    )
    result = run(resources, {"Topic": {"monthly_requests": 3_000_000, "monthly_email_deliveries": 200_000}})
    budget_days = H / 24  # 30.4166... budget-days a month
    expected = (
        12 * D("0.10")  # 12 single-metric standard alarms: 1 alarm metric each, 1.20
        + D("0.30")  # one high-resolution alarm metric (period < 60 s)
        + D("0.50")  # composite
        + 2 * D("3.00")  # dashboards 6.00
        + 3 * D("0.50")
        + 2 * D("2.00")  # SNS: 3 M publishes 1.50 + 200k emails 4.00
        + budget_days * D("0.10")  # one budget with actions: 3.0417; the plain one is free
    )  # 16.5417
    assert cents(result["monitoring_monthly_usd"]) == cents(expected) == D("16.54")
    assert len(result["monitoring"]) == 1
    assert cents(result["total_monthly_usd"]) == cents(expected)
    free = result["free_tier"][0]
    # 10 of the 12 standard single-metric alarm metrics, both (empty) dashboards, 1 M publishes, 30.4 budget-days.
    free_expected = -(10 * D("0.10") + 2 * D("3.00") + 1 * D("0.50") + budget_days * D("0.10"))
    assert cents(free["monthly_usd"]) == cents(free_expected) == D("-10.54")  # -(1 + 6 + 0.5 + 3.0417)


def test_seed_000_usage_table_at_current_prices() -> None:
    """000 prints $34.68/month for six tables; at PRICING.md prices the same usage costs $7.17 before the free tier."""

    def provisioned(table: str, read: int, write: int) -> dict:
        return classic_table(
            "auxeira", table, ProvisionedThroughput={"ReadCapacityUnits": read, "WriteCapacityUnits": write}
        )

    def on_demand(table: str) -> dict:
        return classic_table("auxeira", table, BillingMode="PAY_PER_REQUEST")

    resources = {
        "Users": on_demand("users"),
        "Profiles": on_demand("profiles"),
        "Reports": on_demand("reports"),
        "Projects": provisioned("projects", 5, 2),
        "Leaderboard": provisioned("leaderboard", 10, 3),
        "Activity": provisioned("activity", 2, 5),
    }
    usage = {
        "auxeira/users": {
            "monthly_read_request_units": 10_000,
            "monthly_write_request_units": 1_000,
            "storage_gb": 0.1,
        },
        "auxeira/profiles": {
            "monthly_read_request_units": 15_000,
            "monthly_write_request_units": 2_000,
            "storage_gb": 0.5,
        },
        "auxeira/reports": {
            "monthly_read_request_units": 25_000,
            "monthly_write_request_units": 5_000,
            "storage_gb": 2.0,
        },
        "auxeira/projects": {"storage_gb": 0.2},
        "auxeira/leaderboard": {"storage_gb": 0.1},
        "auxeira/activity": {"storage_gb": 0.3},
    }
    result = run(resources, usage)
    million = D(1_000_000)
    hand = {
        # reads x $0.125/M + writes x $0.625/M + GB x $0.25 (the seed says $2.50, $4.13, $8.38)
        "users": 10_000 * D("0.125") / million + 1_000 * D("0.625") / million + D("0.1") * D("0.25"),  # 0.026875
        "profiles": 15_000 * D("0.125") / million + 2_000 * D("0.625") / million + D("0.5") * D("0.25"),  # 0.128125
        "reports": 25_000 * D("0.125") / million + 5_000 * D("0.625") / million + D("2.0") * D("0.25"),  # 0.50625
        # RCU x 730 x $0.00013 + WCU x 730 x $0.00065 + GB x $0.25 (the seed says $4.73, $9.41, $5.53)
        "projects": 5 * H * D("0.00013") + 2 * H * D("0.00065") + D("0.2") * D("0.25"),  # 1.4735
        "leaderboard": 10 * H * D("0.00013") + 3 * H * D("0.00065") + D("0.1") * D("0.25"),  # 2.3975
        "activity": 2 * H * D("0.00013") + 5 * H * D("0.00065") + D("0.3") * D("0.25"),  # 2.6373
    }
    assert hand == {
        "users": D("0.026875"),
        "profiles": D("0.128125"),
        "reports": D("0.50625"),
        "projects": D("1.4735"),
        "leaderboard": D("2.3975"),
        "activity": D("2.6373"),
    }
    for table, value in hand.items():
        assert cents(table_entry(result, table)["monthly_usd"]) == cents(value), table
    total = sum(hand.values())  # 7.16955
    assert cents(result["total_monthly_usd"]) == cents(total) == D("7.17")
    # Free tier, account-level: 3.2 GB of 25 free, 17 RCU and 10 WCU of 25 free each.
    free = -(D("3.2") * D("0.25") + 17 * H * D("0.00013") + 10 * H * D("0.00065"))  # -(0.80 + 1.6133 + 4.745)
    assert cents(result["free_tier"][0]["monthly_usd"]) == cents(free) == D("-7.16")
    # What a new account would really pay: about one cent, against the seed's $34.68.
    assert cents(total + free) == D("0.01")


def test_classic_table_autoscaling_from_scalable_targets() -> None:
    """AWS::DynamoDB::Table keeps autoscaling in ApplicationAutoScaling resources; they make the range."""
    resources = {
        "Orders": classic_table(
            "shop", "orders", ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 5}
        ),
        "WriteTarget": {
            "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
            "Properties": {
                "ServiceNamespace": "dynamodb",
                "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                "ResourceId": {"Fn::Join": ["", ["table/", {"Ref": "Orders"}]]},
                "MinCapacity": 5,
                "MaxCapacity": 20,
            },
        },
        "WritePolicy": {
            "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
            "Properties": {
                "ScalingTargetId": {"Ref": "WriteTarget"},
                "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 50},
            },
        },
    }
    # Consumed: 4 WCU on average; at a 50% target autoscaling holds 8 WCU.
    result = run(resources, {"Orders": {"monthly_write_request_units": 4 * 730 * 3600}})
    entry = table_entry(result, "orders")
    reads = 10 * H * D("0.00013")  # fixed 10 RCU: $0.949
    low, high = reads + 5 * H * D("0.00065"), reads + 20 * H * D("0.00065")  # 0.949 + 2.3725 / + 9.49
    expected = reads + 8 * H * D("0.00065")  # 0.949 + 3.796
    assert (cents(entry["monthly_usd_min"]), cents(entry["monthly_usd_max"])) == (cents(low), cents(high))
    assert (cents(low), cents(high), cents(expected)) == (D("3.32"), D("10.44"), D("4.75"))
    assert cents(entry["monthly_usd_expected"]) == cents(expected)
    assert result["no_charge"] == {
        "AWS::ApplicationAutoScaling::ScalableTarget": 1,
        "AWS::ApplicationAutoScaling::ScalingPolicy": 1,
    }


def test_unpriced_table_features_are_named_in_assumptions() -> None:
    resources = {
        "OrdersTable": global_table(
            "shop",
            "orders",
            replicas=[{"Region": "us-east-1", "ContributorInsightsSpecification": {"Enabled": True}}],
        )
    }
    result = run(resources)
    assert any("shop/orders: CloudWatch Contributor Insights" in a for a in result["assumptions"])
