"""The always-free tier: shown once per stage (one AWS account per stage), never subtracted per table.

DynamoDB's free storage, RCU, WCU and stream reads are counted per stage and
region from what the table pricer recorded (:meth:`Estimate.use_free`); the
CloudWatch, SNS, KMS and Budgets free tiers per stage, across its systems.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cost.autoscaling import ALARMS_PER_POLICY
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


def _stage_counts(monitoring: dict[tuple[str, str], MonitoringGroup], stage: str) -> dict[str, Decimal]:
    """The stage's monitoring counts, SNS publishes and KMS requests, summed over its systems."""
    counts: dict[str, Decimal] = {}

    def add(key: str, n: Decimal | int) -> None:
        counts[key] = counts.get(key, ZERO) + n

    for (_system, group_stage), group in monitoring.items():
        if group_stage != stage:
            continue
        for key, n in group.counts.items():
            add(key, n)
        # Application Auto Scaling's alarms are standard single-metric alarms: count the documented number.
        add("free_eligible_alarm_metric", len(group.scaling_policies) * ALARMS_PER_POLICY[0])
        add("publishes", group.publishes)
        add("key_requests", group.key_requests)
    return counts


def _free(label: str, amount: Decimal, of: Decimal, value: Decimal) -> Component:
    return Component(label, Cost.of(-value), f"{amount} of {of} free {label}")


def _monitoring(p: RegionPrices, counts: dict[str, Decimal], hours: Decimal) -> list[Component]:
    free = p.free_tier
    items = []
    for item, free_key, service, price_key, per, label in (
        # PRICING.md: the first 10 alarm metrics, "for standard alarms that list metrics directly".
        (
            "free_eligible_alarm_metric",
            "cloudwatch_alarm_metrics",
            "cloudwatch",
            "alarm_metric_month",
            Decimal(1),
            "alarm metrics",
        ),
        # The first 3 dashboards, "up to 50 metrics each".
        ("free_eligible_dashboard", "cloudwatch_dashboards", "cloudwatch", "dashboard_month", Decimal(1), "dashboards"),
        ("publishes", "sns_publishes", "sns", "publishes_per_million", MILLION, "sns publishes"),
        ("key_requests", "kms_requests", "kms", "requests_per_10k", Decimal(10_000), "kms requests"),
    ):
        amount = min(counts.get(item, ZERO), free.get(free_key, ZERO))
        if amount:
            items.append(_free(label, amount, free[free_key], amount * p.price(service, price_key) / per))
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
        if book.has_region(region):  # a region without prices has no priced use either
            per_stage.setdefault(stage, []).extend(_dynamodb(book.region(region), region, used, hours))
    # Monitoring free tiers are per account: count across the stage's systems.
    for stage in sorted({s for _, s in monitoring}):
        counts = _stage_counts(monitoring, stage)
        per_stage.setdefault(stage, []).extend(_monitoring(book.region(default_region), counts, hours))
    return [
        {"stage": stage, **money(total(c.cost for c in items)), "components": [c.to_json() for c in items]}
        for stage, items in sorted(per_stage.items(), key=lambda kv: stage_key(kv[0]))
        if items
    ]
