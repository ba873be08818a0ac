"""Price the monitoring resources: CloudWatch alarms, composite alarms and dashboards, SNS, budgets.

Resources are counted into one :class:`MonitoringGroup` per system and stage,
then priced per group in the region of its first stack (PRICING.md, "Formulas").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cost.prices import PriceBook, RegionPrices
from cost.result import HUNDRED_K, MILLION, ZERO, Component, Cost, money, total
from cost.usage import TOPIC_KEYS, ResourceUsage

ALARM = "AWS::CloudWatch::Alarm"
COMPOSITE_ALARM = "AWS::CloudWatch::CompositeAlarm"
DASHBOARD = "AWS::CloudWatch::Dashboard"
TOPIC = "AWS::SNS::Topic"
BUDGET = "AWS::Budgets::Budget"
BUDGETS_ACTION = "AWS::Budgets::BudgetsAction"
MONITORING_TYPES = (ALARM, COMPOSITE_ALARM, DASHBOARD, TOPIC, BUDGET)

#: Per alarm or dashboard: (count key, CloudWatch price key, label).
_CLOUDWATCH_ITEMS = (
    ("standard_alarm", "standard_alarm_month", "standard alarms"),
    ("high_resolution_alarm", "high_resolution_alarm_month", "high-resolution alarms"),
    ("composite_alarm", "composite_alarm_month", "composite alarms"),
    ("dashboard", "dashboard_month", "dashboards"),
)


@dataclass
class MonitoringGroup:
    system: str
    stage: str
    stacks: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    publishes: Decimal = ZERO
    email_deliveries: Decimal = ZERO
    #: Alarms with metric math over several metrics (each priced as one alarm).
    math_alarms: int = 0

    def count(self, item: str, n: int = 1) -> None:
        self.counts[item] = self.counts.get(item, 0) + n


# --- counting --------------------------------------------------------------------------


def alarm_is_high_resolution(props: dict[str, Any]) -> bool:
    periods = [props.get("Period")]
    for metric in props.get("Metrics", []) or []:
        periods.append((metric.get("MetricStat") or {}).get("Period"))
        periods.append(metric.get("Period"))
    return any(isinstance(p, int | float) and p < 60 for p in periods)


def budget_names_with_actions(resources: dict[str, dict[str, Any]]) -> set[str]:
    """Budgets referenced by a BudgetsAction, by literal name or by Ref to the budget resource."""
    names: set[str] = set()
    for resource in resources.values():
        if resource.get("Type") != BUDGETS_ACTION:
            continue
        value = resource.get("Properties", {}).get("BudgetName")
        if isinstance(value, str):
            names.add(value)
        elif isinstance(value, dict) and isinstance(value.get("Ref"), str):
            names.add(value["Ref"])
    return names


def _count_topic(group: MonitoringGroup, entry: ResourceUsage | None) -> None:
    group.count("topic")
    if entry is None:
        return
    for key in entry.values:
        if key not in TOPIC_KEYS:
            raise entry.error("not an SNS topic usage key", field=key)
    if entry.indexes:
        raise entry.error("not an SNS topic usage key", field="indexes")
    group.publishes += entry.get("monthly_requests") or ZERO
    group.email_deliveries += entry.get("monthly_email_deliveries") or ZERO


def count_resource(
    group: MonitoringGroup,
    logical_id: str,
    resource: dict[str, Any],
    *,
    find_usage: Callable[[str], ResourceUsage | None],
    budgets_with_actions: set[str],
) -> None:
    """Count one resource of a MONITORING_TYPES type into its group (a topic with its usage entry)."""
    kind = resource.get("Type")
    props = resource.get("Properties", {}) or {}
    if kind == ALARM:
        group.count("high_resolution_alarm" if alarm_is_high_resolution(props) else "standard_alarm")
        metrics = [m for m in props.get("Metrics", []) or [] if isinstance(m, dict) and "MetricStat" in m]
        if len(metrics) > 1:
            group.math_alarms += 1
    elif kind == COMPOSITE_ALARM:
        group.count("composite_alarm")
    elif kind == DASHBOARD:
        group.count("dashboard")
    elif kind == TOPIC:
        _count_topic(group, find_usage(logical_id))
    elif kind == BUDGET:
        name = (props.get("Budget") or {}).get("BudgetName")
        has_actions = logical_id in budgets_with_actions or (isinstance(name, str) and name in budgets_with_actions)
        group.count("budget_with_actions" if has_actions else "budget")
    else:
        raise ValueError(f"not a monitoring resource type: {kind}")


# --- pricing ---------------------------------------------------------------------------


def _sns_component(group: MonitoringGroup, p: RegionPrices) -> Component:
    publish = p.price("sns", "publishes_per_million")
    email = p.price("sns", "email_deliveries_per_100k")
    cost = group.publishes * publish / MILLION + group.email_deliveries * email / HUNDRED_K
    return Component(
        "sns",
        Cost.of(cost),
        f"{group.counts.get('topic', 0)} topics: {group.publishes} publishes x ${publish}/M + "
        f"{group.email_deliveries} emails x ${email}/100k",
    )


def _budgets_component(group: MonitoringGroup, p: RegionPrices, hours: Decimal) -> Component:
    plain = group.counts.get("budget", 0)
    with_actions = group.counts.get("budget_with_actions", 0)
    day = p.price("budgets", "action_budget_day")
    days = hours / 24
    return Component(
        "budgets",
        Cost.of(with_actions * days * day),
        f"{plain} plain budgets free + {with_actions} with actions x {days.quantize(Decimal('0.01'))} days x ${day}",
    )


def monitoring_components(group: MonitoringGroup, p: RegionPrices, hours: Decimal) -> list[Component]:
    out: list[Component] = []
    for item, price_key, label in _CLOUDWATCH_ITEMS:
        n = group.counts.get(item, 0)
        if n:
            price = p.price("cloudwatch", price_key)
            out.append(Component(label, Cost.of(n * price), f"{n} x ${price}"))
    if group.counts.get("topic", 0):
        out.append(_sns_component(group, p))
    if group.counts.get("budget", 0) or group.counts.get("budget_with_actions", 0):
        out.append(_budgets_component(group, p, hours))
    return out


def price_monitoring(
    groups: dict[tuple[str, str], MonitoringGroup], book: PriceBook, regions: dict[str, str], default_region: str
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], Cost]]:
    """The result's ``monitoring`` entries, and each (system, stage)'s monitoring cost."""
    costs: dict[tuple[str, str], Cost] = {}
    entries: list[dict[str, Any]] = []
    for (system, stage), group in sorted(groups.items()):
        # Monitoring is priced in the stack's region (CloudWatch, SNS and Budgets are regional or global).
        region = next((regions[s] for s in sorted(group.stacks)), default_region)
        components = monitoring_components(group, book.region(region), book.hours_per_month)
        if not components:
            continue
        cost = total(c.cost for c in components)
        costs[(system, stage)] = cost
        entries.append(
            {
                "system": system,
                "stage": stage,
                "stacks": sorted(group.stacks),
                **money(cost),
                "components": [c.to_json() for c in components],
            }
        )
    return entries, costs
