"""The always-free tier: shown once per stage (one AWS account per stage), never subtracted per table.

DynamoDB's free storage, RCU, WCU and stream reads are counted per stage and
region from what the table pricer recorded (:meth:`Estimate.use_free`); the
CloudWatch, SNS and Budgets free tiers per stage, across its systems.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cost.monitoring import MonitoringGroup
from cost.prices import RegionPrices
from cost.result import HUNDRED_K, MILLION, ZERO, Component, Cost, Estimate, money, stage_key, total


def _dynamodb(p: RegionPrices, region: str, used: dict[str, Decimal], hours: Decimal) -> list[Component]:
    free = p.free_tier
    items = []
    for item, free_key, price, unit_factor, label in (
        ("storage_gb", "dynamodb_storage_gb", p.price("dynamodb", "storage_gb_month"), Decimal(1), "GB storage"),
        ("RCU", "dynamodb_rcu", p.price("dynamodb", "rcu_hour"), hours, "RCU"),
        ("WCU", "dynamodb_wcu", p.price("dynamodb", "wcu_hour"), hours, "WCU"),
        (
            "stream_reads",
            "dynamodb_streams_read_requests",
            p.price("dynamodb", "streams_read_requests_per_100k"),
            1 / HUNDRED_K,
            "stream reads",
        ),
    ):
        amount = min(used.get(item, ZERO), free.get(free_key, ZERO))
        if amount:
            items.append(
                Component(
                    f"{region} {label}",
                    Cost.of(-(amount * unit_factor * price)),
                    f"{amount} of {free[free_key]} free {label}",
                )
            )
    return items


def _stage_counts(monitoring: dict[tuple[str, str], MonitoringGroup], stage: str) -> tuple[dict[str, Decimal], Decimal]:
    """The stage's monitoring counts and SNS publishes, summed over its systems."""
    counts: dict[str, Decimal] = {}
    publishes = ZERO
    for (_system, group_stage), group in monitoring.items():
        if group_stage != stage:
            continue
        for key, n in group.counts.items():
            counts[key] = counts.get(key, ZERO) + n
        publishes += group.publishes
    return counts, publishes


def _monitoring(p: RegionPrices, counts: dict[str, Decimal], publishes: Decimal, hours: Decimal) -> list[Component]:
    free = p.free_tier
    items = []
    for item, free_key, price, label in (
        (
            "standard_alarm",
            "cloudwatch_standard_alarms",
            p.price("cloudwatch", "standard_alarm_month"),
            "standard alarms",
        ),
        ("dashboard", "cloudwatch_dashboards", p.price("cloudwatch", "dashboard_month"), "dashboards"),
    ):
        amount = min(counts.get(item, ZERO), free.get(free_key, ZERO))
        if amount:
            items.append(Component(label, Cost.of(-(amount * price)), f"{amount} of {free[free_key]} free {label}"))
    free_publishes = min(publishes, free.get("sns_publishes", ZERO))
    if free_publishes:
        price = p.price("sns", "publishes_per_million")
        items.append(
            Component("sns publishes", Cost.of(-(free_publishes * price / MILLION)), f"{free_publishes} free publishes")
        )
    action_days = counts.get("budget_with_actions", ZERO) * hours / 24
    free_days = min(action_days, free.get("budgets_action_budget_days", ZERO))
    if free_days:
        price = p.price("budgets", "action_budget_day")
        items.append(Component("budget days", Cost.of(-(free_days * price)), f"{free_days} free budget-days"))
    return items


def free_tier(
    estimate: Estimate, monitoring: dict[tuple[str, str], MonitoringGroup], default_region: str
) -> list[dict[str, Any]]:
    """The result's ``free_tier``: per stage, negative amounts (monitoring's in ``default_region``)."""
    book = estimate.book
    hours = book.hours_per_month
    per_stage: dict[str, list[Component]] = {}
    for (stage, region), used in sorted(estimate.free_use.items()):
        per_stage.setdefault(stage, []).extend(_dynamodb(book.region(region), region, used, hours))
    # Monitoring free tiers are per account: count across the stage's systems.
    for stage in sorted({s for _, s in monitoring}):
        counts, publishes = _stage_counts(monitoring, stage)
        per_stage.setdefault(stage, []).extend(_monitoring(book.region(default_region), counts, publishes, hours))
    return [
        {"stage": stage, **money(total(c.cost for c in items)), "components": [c.to_json() for c in items]}
        for stage, items in sorted(per_stage.items(), key=lambda kv: stage_key(kv[0]))
        if items
    ]
