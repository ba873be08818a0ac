"""Pricing paths that go through the read model (tableforge.model), by hand from ../shared/PRICING.md.

PRICING.md figures used below (us-east-1, 730 h/month):
  provisioned RCU $0.00013/h, WCU $0.00065/h; replicated WCU $0.00065/h
  on-demand RRU $0.125/M, WRU $0.625/M
  storage Standard $0.25/GB-month; PITR $0.20/GB-month
  free tier: 25 GB Standard storage, 25 RCU + 25 WCU
Every expected value is written as the arithmetic, never copied from the estimator's output.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal as D
from typing import Any

from cost.prices import DEFAULT_PRICES, parse_price_book
from tests.cost.helpers import cents, classic_table, component, global_table, gsi, run, table_entry

H = D(730)


def _scalable_target(table: str, dimension: str, low: Any, high: Any, index: str | None = None) -> dict[str, Any]:
    resource_id: list[Any] = ["table/", {"Ref": table}] + ([f"/index/{index}"] if index else [])
    return {
        "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
        "Properties": {
            "ServiceNamespace": "dynamodb",
            "ScalableDimension": f"dynamodb:{'index' if index else 'table'}:{dimension}CapacityUnits",
            "ResourceId": {"Fn::Join": ["", resource_id]},
            "MinCapacity": low,
            "MaxCapacity": high,
        },
    }


def _scaling_policy(target: str, value: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
        "Properties": {
            "ScalingTargetId": {"Ref": target},
            "TargetTrackingScalingPolicyConfiguration": {"TargetValue": value},
        },
    }


def test_classic_table_gsis_from_provisioned_throughput_and_an_index_scalable_target() -> None:
    """A classic Table's GSIs: fixed ProvisionedThroughput, or an index ScalableTarget with its policy."""
    resources = {
        "Ledger": classic_table(
            "shop",
            "ledger",
            ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 5},
            GlobalSecondaryIndexes=[
                gsi("by-a", ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 2}),
                gsi("by-b", ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}),
            ],
        ),
        "ByAWrites": _scalable_target("Ledger", "Write", 2, 8, index="by-a"),
        "ByAPolicy": _scaling_policy("ByAWrites", 50),
    }
    # by-a consumes 3 WCU on average; at a 50% target autoscaling holds 6 WCU.
    usage = {"Ledger": {"storage_gb": 2, "indexes": {"by-a": {"monthly_write_request_units": 3 * 730 * 3600}}}}
    result = run(resources, usage)
    entry = table_entry(result, "ledger")

    reads = 10 * H * D("0.00013")  # 0.949
    writes = 5 * H * D("0.00065")  # 2.3725
    by_a_reads = 3 * H * D("0.00013")  # 0.2847
    by_a_low, by_a_high = 2 * H * D("0.00065"), 8 * H * D("0.00065")  # 0.949, 3.796
    by_a_expected = 6 * H * D("0.00065")  # 2.847
    by_b = 1 * H * D("0.00013") + 1 * H * D("0.00065")  # 0.0949 + 0.4745 = 0.5694
    storage = 2 * D("0.25")  # 0.50, PITR off
    low = reads + writes + by_a_reads + by_a_low + by_b + storage
    high = reads + writes + by_a_reads + by_a_high + by_b + storage
    expected = reads + writes + by_a_reads + by_a_expected + by_b + storage
    assert (low, high, expected) == (D("5.6246"), D("8.4716"), D("7.5226"))

    by_a = component(entry, "gsi by-a")
    assert (
        (cents(by_a["monthly_usd_min"]), cents(by_a["monthly_usd_max"]))
        == (
            cents(by_a_reads + by_a_low),
            cents(by_a_reads + by_a_high),
        )
        == (D("1.23"), D("4.08"))
    )
    assert cents(by_a["monthly_usd_expected"]) == cents(by_a_reads + by_a_expected) == D("3.13")
    assert cents(component(entry, "gsi by-b")["monthly_usd"]) == cents(by_b) == D("0.57")
    assert (cents(entry["monthly_usd_min"]), cents(entry["monthly_usd_max"])) == (cents(low), cents(high))
    assert cents(entry["monthly_usd_expected"]) == cents(expected)
    # One target-tracking policy (by-a's writes): Application Auto Scaling adds 2-4 standard alarms.
    [monitoring] = result["monitoring"]
    assert (D(monitoring["monthly_usd_min"]), D(monitoring["monthly_usd_max"])) == (2 * D("0.10"), 4 * D("0.10"))
    # Free tier: 10 + 3 + 1 RCU, 5 + 2 (the minimum) + 1 WCU and 2 GB, all inside 25/25/25; and those
    # 2 alarm metrics (single-metric standard alarms) inside the 10 free ones.
    free = -(2 * D("0.25") + 14 * H * D("0.00013") + 8 * H * D("0.00065") + 2 * D("0.10"))
    assert cents(result["free_tier"][0]["monthly_usd"]) == cents(free) == D("-5.82")  # -(0.50+1.3286+3.796+0.20)


def test_fn_if_billing_mode_is_a_range_over_both_branches() -> None:
    """On-demand or provisioned is decided at deploy: priced both ways, cheapest to dearest, never $0."""
    resources = {
        "Ledger": classic_table(
            "shop",
            "ledger",
            BillingMode={"Fn::If": ["IsProd", "PROVISIONED", "PAY_PER_REQUEST"]},
            ProvisionedThroughput={
                "Fn::If": ["IsProd", {"ReadCapacityUnits": 10, "WriteCapacityUnits": 5}, {"Ref": "AWS::NoValue"}]
            },
        )
    }
    usage = {
        "Ledger": {"storage_gb": 2, "monthly_read_request_units": 4_000_000, "monthly_write_request_units": 1_000_000}
    }
    result = run(resources, usage)
    entry = table_entry(result, "ledger")
    provisioned = 10 * H * D("0.00013") + 5 * H * D("0.00065") + 2 * D("0.25")  # 0.949 + 2.3725 + 0.50 = 3.8215
    on_demand = 4 * D("0.125") + 1 * D("0.625") + 2 * D("0.25")  # 0.50 + 0.625 + 0.50 = 1.625
    assert (D(entry["monthly_usd_min"]), D(entry["monthly_usd_max"])) == (on_demand, provisioned)
    assert entry["billing_mode"] == "conditional"
    assert [(b["conditions"], b["billing_mode"]) for b in entry["branches"]] == [
        ({"IsProd": True}, "provisioned"),
        ({"IsProd": False}, "on_demand"),
    ]
    assert "[IsProd=false] writes" in [c["name"] for c in entry["components"]]
    assert (D(result["total_monthly_usd_min"]), D(result["total_monthly_usd_max"])) == (on_demand, provisioned)
    assert result["skipped"] == []
    # Free tier: only what both branches use for sure (2 GB; the on-demand branch has no RCU/WCU).
    assert D(result["free_tier"][0]["monthly_usd"]) == -2 * D("0.25")


def test_a_branch_that_cannot_be_priced_leaves_the_table_unpriced_not_free() -> None:
    """PROVISIONED with write settings from a parameter: unknown, so skipped with the reason (never $0)."""
    resources = {
        "ScoresTable": global_table(
            "game",
            "scores",
            billing={"Fn::If": ["Big", "PROVISIONED", "PAY_PER_REQUEST"]},
            replicas=[{"Region": "us-east-1", "ReadProvisionedThroughputSettings": {"ReadCapacityUnits": 4}}],
            WriteProvisionedThroughputSettings={"Ref": "WriteSettings"},
        ),
        "FixedTable": global_table(
            "game", "fixed", billing="PROVISIONED", pitr=False, WriteProvisionedThroughputSettings={"Ref": "W"}
        ),
    }
    result = run(resources)
    assert result["tables"] == []
    reasons = {s["logical_id"]: s["reason"] for s in result["skipped"]}
    assert reasons["ScoresTable"].startswith("with Big=true: write capacity is not a literal number")
    assert "WriteSettings" in reasons["ScoresTable"]
    assert "write capacity is not a literal number" in reasons["FixedTable"]


def test_intrinsic_scalable_target_capacity_skips_only_that_table() -> None:
    resources = {
        "Ledger": classic_table(
            "shop", "ledger", ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 5}
        ),
        "LedgerWrites": _scalable_target("Ledger", "Write", {"Ref": "MinWrites"}, 20),
        "OrdersTable": global_table("shop", "orders", pitr=False),
    }
    result = run(resources, {"shop/orders": {"monthly_read_request_units": 8_000_000}})
    [skipped] = result["skipped"]
    assert skipped["logical_id"] == "Ledger"
    assert "MinCapacity" in skipped["reason"] and "MinWrites" in skipped["reason"]
    orders = 8 * D("0.125")  # 8 M RRU -> $1.00
    assert cents(table_entry(result, "orders")["monthly_usd"]) == cents(orders)
    assert cents(result["total_monthly_usd"]) == D("1.00")


def test_classic_table_without_the_capacity_it_needs_is_skipped() -> None:
    resources = {
        "Ledger": classic_table("shop", "ledger", ProvisionedThroughput={"ReadCapacityUnits": 10}),
    }
    [skipped] = run(resources)["skipped"]
    assert skipped["logical_id"] == "Ledger" and "WriteCapacityUnits" in skipped["reason"]


def _book_with_us_west_2() -> Any:
    """PRICING.md has us-east-1 only; the test adds us-west-2 with the same PRICING.md figures."""
    data = json.loads(DEFAULT_PRICES.read_text())
    data["regions"]["us-west-2"] = copy.deepcopy(data["regions"]["us-east-1"])
    return parse_price_book(data, path="test-prices.json")


def test_provisioned_replica_takes_the_first_replicas_reads_and_bills_replicated_wcu() -> None:
    write = {
        "WriteCapacityAutoScalingSettings": {
            "MinCapacity": 5,
            "MaxCapacity": 20,
            "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70},
        }
    }
    resources = {
        "ScoresTable": global_table(
            "game",
            "scores",
            billing="PROVISIONED",
            replicas=[
                {"Region": "us-east-1", "ReadProvisionedThroughputSettings": {"ReadCapacityUnits": 4}},
                {"Region": "us-west-2"},  # no read settings of its own
            ],
            WriteProvisionedThroughputSettings=write,
        )
    }
    result = run(resources, {"game/scores": {"storage_gb": 10}}, book=_book_with_us_west_2())
    entry = table_entry(result, "scores")

    reads = 4 * H * D("0.00013")  # 0.3796
    storage, pitr = 10 * D("0.25"), 10 * D("0.20")  # 2.50, 2.00 in each region
    home_low = reads + 5 * H * D("0.00065") + storage + pitr  # 0.3796 + 2.3725 + 2.5 + 2.0
    home_high = reads + 20 * H * D("0.00065") + storage + pitr  # 0.3796 + 9.49 + 2.5 + 2.0
    # us-west-2: the table's 5-20 WCU as replicated WCU, the first replica's 4 RCU, storage, PITR.
    replica_low = 5 * H * D("0.00065") + 4 * H * D("0.00013") + storage + pitr
    replica_high = 20 * H * D("0.00065") + 4 * H * D("0.00013") + storage + pitr
    assert (home_low, home_high, replica_low, replica_high) == (
        D("7.2521"),
        D("14.3696"),
        D("7.2521"),
        D("14.3696"),
    )
    replica = component(entry, "replica us-west-2")
    assert (cents(replica["monthly_usd_min"]), cents(replica["monthly_usd_max"])) == (D("7.25"), D("14.37"))
    assert (
        (cents(entry["monthly_usd_min"]), cents(entry["monthly_usd_max"]))
        == (
            cents(home_low + replica_low),
            cents(home_high + replica_high),
        )
        == (D("14.50"), D("28.74"))
    )
    assert entry["replica_regions"] == ["us-west-2"]


def test_a_replicas_expected_write_cost_follows_the_primarys_expected_capacity() -> None:
    """The primary's consumed writes are replayed in every replica: autoscaling holds the same WCU there."""
    write = {
        "WriteCapacityAutoScalingSettings": {
            "MinCapacity": 5,
            "MaxCapacity": 20,
            "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70},
        }
    }
    resources = {
        "ScoresTable": global_table(
            "game",
            "scores",
            billing="PROVISIONED",
            pitr=False,
            replicas=[
                {"Region": "us-east-1", "ReadProvisionedThroughputSettings": {"ReadCapacityUnits": 4}},
                {"Region": "us-west-2"},
            ],
            WriteProvisionedThroughputSettings=write,
        )
    }
    # 7 WCU consumed on average; at a 70% target autoscaling holds 10 WCU, in both regions.
    usage = {"game/scores": {"monthly_write_request_units": 7 * 730 * 3600}}
    entry = table_entry(run(resources, usage, book=_book_with_us_west_2()), "scores")
    reads = 4 * H * D("0.00013")  # 0.3796 in each region
    held = 10 * H * D("0.00065")  # 4.745: WCU at home, replicated WCU in us-west-2 (same price)
    replica = component(entry, "replica us-west-2")
    assert D(replica["monthly_usd_expected"]) == held + reads == D("5.1246")
    assert D(entry["monthly_usd_expected"]) == 2 * (held + reads) == D("10.2492")
    # Without the fix the replica's expected cost was its minimum, 5 WCU: 2.3725 + 0.3796.
    assert D(replica["monthly_usd_min"]) == 5 * H * D("0.00065") + reads


def test_kinesis_streaming_on_a_classic_table_is_named_in_assumptions() -> None:
    resources = {
        "Ledger": classic_table(
            "shop",
            "ledger",
            BillingMode="PAY_PER_REQUEST",
            KinesisStreamSpecification={"StreamArn": "arn:aws:kinesis:us-east-1:111111111111:stream/ledger"},
        )
    }
    result = run(resources)
    assert any("shop/ledger: Kinesis Data Streams for DynamoDB" in a for a in result["assumptions"])
    assert not any("Contributor Insights" in a for a in result["assumptions"])
