"""Price what each system and stage pays besides its tables: alarms, dashboards, keys, SNS, budgets.

Resources are counted into one :class:`MonitoringGroup` per system and stage,
then priced per group in the region of its first stack (PRICING.md, "Other
services"):

* CloudWatch alarms per alarm metric (:mod:`cost.cloudwatch`), composites per
  alarm, dashboards per dashboard;
* the alarms Application Auto Scaling creates for each target-tracking policy
  (:mod:`cost.autoscaling`), which no template lists;
* customer managed KMS keys (the alarm topics' keys, a data stack's table key):
  $1 a key-month, and with rotation on each of the first two rotations adds $1
  (so $1 in a key's first year, up to $3 from its third), plus requests when a
  usage entry gives them;
* SNS publishes and email deliveries from usage; budgets with actions per day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cost.autoscaling import ALARMS_PER_POLICY
from cost.cloudwatch import FREE_DASHBOARD_MAX_METRICS, alarm_metrics, dashboard_metrics
from cost.prices import MissingPrice, PriceBook, RegionPrices
from cost.result import HUNDRED_K, MILLION, ZERO, Component, Cost, money, total
from cost.usage import KEY_KEYS, TOPIC_KEYS, ResourceUsage

ALARM = "AWS::CloudWatch::Alarm"
COMPOSITE_ALARM = "AWS::CloudWatch::CompositeAlarm"
DASHBOARD = "AWS::CloudWatch::Dashboard"
TOPIC = "AWS::SNS::Topic"
BUDGET = "AWS::Budgets::Budget"
BUDGETS_ACTION = "AWS::Budgets::BudgetsAction"
KMS_KEY = "AWS::KMS::Key"
KMS_REPLICA_KEY = "AWS::KMS::ReplicaKey"
MONITORING_TYPES = (ALARM, COMPOSITE_ALARM, DASHBOARD, TOPIC, BUDGET, KMS_KEY, KMS_REPLICA_KEY)
#: PRICING.md: "each of the first two rotations adds $1.00 a month".
PRICED_ROTATIONS = 2
TEN_K = Decimal(10_000)


@dataclass
class MonitoringGroup:
    system: str
    stage: str
    stacks: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    publishes: Decimal = ZERO
    email_deliveries: Decimal = ZERO
    key_requests: Decimal = ZERO
    #: Alarms whose billed metrics are a guess (Metrics Insights queries).
    uncertain_alarms: list[str] = field(default_factory=list)
    #: Dashboards whose body could not be read (metric count unknown: not counted as free).
    unread_dashboards: list[str] = field(default_factory=list)
    #: Labels of the target-tracking policies of the group's tables.
    scaling_policies: list[str] = field(default_factory=list)
    #: Policies only some branches of a conditional table have (counted in the maximum only).
    conditional_policies: int = 0

    def count(self, item: str, n: int = 1) -> None:
        self.counts[item] = self.counts.get(item, 0) + n

    def n(self, item: str) -> int:
        return self.counts.get(item, 0)


# --- counting --------------------------------------------------------------------------


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


def _check_keys(entry: ResourceUsage, allowed: tuple[str, ...], what: str) -> None:
    for key in entry.values:
        if key not in allowed:
            raise entry.error(f"not {what} usage key", field=key)
    if entry.indexes:
        raise entry.error(f"not {what} usage key", field="indexes")


def _count_topic(group: MonitoringGroup, entry: ResourceUsage | None) -> None:
    group.count("topic")
    if entry is None:
        return
    _check_keys(entry, TOPIC_KEYS, "an SNS topic")
    group.publishes += entry.get("monthly_requests") or ZERO
    group.email_deliveries += entry.get("monthly_email_deliveries") or ZERO


def _count_key(group: MonitoringGroup, props: dict[str, Any], entry: ResourceUsage | None) -> None:
    group.count("kms_key")
    if props.get("EnableKeyRotation") is True:
        group.count("kms_key_rotating")
    if entry is not None:
        _check_keys(entry, KEY_KEYS, "a KMS key")
        group.key_requests += entry.get("monthly_requests") or ZERO


def _count_alarm(group: MonitoringGroup, logical_id: str, props: dict[str, Any]) -> None:
    billed = alarm_metrics(props)
    group.count("alarm")
    group.count(f"{billed.kind}_alarm")
    group.count("high_resolution_alarm_metric" if billed.high_resolution else "alarm_metric", billed.metrics)
    if billed.free_tier_eligible:
        group.count("free_eligible_alarm_metric", billed.metrics)
    if billed.uncertain:
        group.uncertain_alarms.append(logical_id)


def _count_dashboard(group: MonitoringGroup, logical_id: str, props: dict[str, Any]) -> None:
    group.count("dashboard")
    metrics = dashboard_metrics(props)
    if metrics is None:
        group.unread_dashboards.append(logical_id)
    elif metrics <= FREE_DASHBOARD_MAX_METRICS:
        group.count("free_eligible_dashboard")


def count_resource(
    group: MonitoringGroup,
    logical_id: str,
    resource: dict[str, Any],
    *,
    find_usage: Callable[[str], ResourceUsage | None],
    budgets_with_actions: set[str],
) -> None:
    """Count one resource of a MONITORING_TYPES type into its group (a topic or key with its usage entry)."""
    kind = resource.get("Type")
    props = resource.get("Properties", {}) or {}
    if kind == ALARM:
        _count_alarm(group, logical_id, props)
    elif kind == COMPOSITE_ALARM:
        group.count("composite_alarm")
    elif kind == DASHBOARD:
        _count_dashboard(group, logical_id, props)
    elif kind == TOPIC:
        _count_topic(group, find_usage(logical_id))
    elif kind in (KMS_KEY, KMS_REPLICA_KEY):
        _count_key(group, props, find_usage(logical_id))
    elif kind == BUDGET:
        name = (props.get("Budget") or {}).get("BudgetName")
        has_actions = logical_id in budgets_with_actions or (isinstance(name, str) and name in budgets_with_actions)
        group.count("budget_with_actions" if has_actions else "budget")
    else:
        raise ValueError(f"not a monitoring resource type: {kind}")


# --- pricing ---------------------------------------------------------------------------


def _alarm_components(group: MonitoringGroup, p: RegionPrices) -> list[Component]:
    out = []
    alarms = group.n("alarm")
    shape = ", ".join(
        f"{group.n(f'{kind}_alarm')} {label}"
        for kind, label in (("single", "single-metric"), ("math", "metric math"), ("anomaly", "anomaly detection"))
        if group.n(f"{kind}_alarm")
    )
    for item, price_key, label in (
        ("alarm_metric", "alarm_metric_month", "alarm metrics"),
        ("high_resolution_alarm_metric", "high_resolution_alarm_metric_month", "high-resolution alarm metrics"),
    ):
        metrics = group.n(item)
        if metrics:
            price = p.price("cloudwatch", price_key)
            out.append(Component(label, Cost.of(metrics * price), f"{metrics} x ${price}; {alarms} alarms: {shape}"))
    composites = group.n("composite_alarm")
    if composites:
        price = p.price("cloudwatch", "composite_alarm_month")
        out.append(Component("composite alarms", Cost.of(composites * price), f"{composites} x ${price}"))
    return out


def _autoscaling_component(group: MonitoringGroup, p: RegionPrices) -> Component:
    policies, extra = len(group.scaling_policies), group.conditional_policies
    low, high = ALARMS_PER_POLICY
    price = p.price("cloudwatch", "alarm_metric_month")
    counted = f"{policies}" + (f" (+{extra} in some branches)" if extra else "")
    return Component(
        "auto scaling alarms",
        Cost(policies * low * price, (policies + extra) * high * price),
        f"{counted} target-tracking policies x {low}-{high} alarms (Application Auto Scaling's, not in the "
        f"template) x ${price}",
    )


def _dashboard_component(group: MonitoringGroup, p: RegionPrices) -> Component:
    dashboards = group.n("dashboard")
    price = p.price("cloudwatch", "dashboard_month")
    return Component("dashboards", Cost.of(dashboards * price), f"{dashboards} x ${price}")


def _keys_component(group: MonitoringGroup, p: RegionPrices) -> Component:
    keys, rotating = group.n("kms_key"), group.n("kms_key_rotating")
    key = p.price("kms", "customer_managed_key_month")
    rotation = p.price("kms", "key_rotation_month")
    requests = p.price("kms", "requests_per_10k")
    request_cost = group.key_requests * requests / TEN_K
    low = keys * key + request_cost
    high = low + rotating * PRICED_ROTATIONS * rotation
    detail = f"{keys} customer managed keys x ${key}"
    if rotating:
        detail += f" (+ up to {PRICED_ROTATIONS} rotations x ${rotation} for the {rotating} with rotation on)"
    detail += f" + {group.key_requests} requests x ${requests}/10k"
    return Component("kms keys", Cost(low, high), detail)


def _sns_component(group: MonitoringGroup, p: RegionPrices) -> Component:
    publish = p.price("sns", "publishes_per_million")
    email = p.price("sns", "email_deliveries_per_100k")
    cost = group.publishes * publish / MILLION + group.email_deliveries * email / HUNDRED_K
    return Component(
        "sns",
        Cost.of(cost),
        f"{group.n('topic')} topics: {group.publishes} publishes x ${publish}/M + "
        f"{group.email_deliveries} emails x ${email}/100k",
    )


def _budgets_component(group: MonitoringGroup, p: RegionPrices, hours: Decimal) -> Component:
    plain = group.n("budget")
    with_actions = group.n("budget_with_actions")
    day = p.price("budgets", "action_budget_day")
    days = hours / 24
    return Component(
        "budgets",
        Cost.of(with_actions * days * day),
        f"{plain} plain budgets free + {with_actions} with actions x {days.quantize(Decimal('0.01'))} days x ${day}",
    )


def monitoring_components(group: MonitoringGroup, p: RegionPrices, hours: Decimal) -> list[Component]:
    out = _alarm_components(group, p)
    if group.scaling_policies or group.conditional_policies:
        out.append(_autoscaling_component(group, p))
    if group.n("dashboard"):
        out.append(_dashboard_component(group, p))
    if group.n("kms_key"):
        out.append(_keys_component(group, p))
    if group.n("topic"):
        out.append(_sns_component(group, p))
    if group.n("budget") or group.n("budget_with_actions"):
        out.append(_budgets_component(group, p, hours))
    return out


def price_monitoring(
    groups: dict[tuple[str, str], MonitoringGroup],
    book: PriceBook,
    regions: dict[str, str],
    default_region: str,
    *,
    unpriced: Callable[[MonitoringGroup, str, str], None],
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], Cost]]:
    """The result's ``monitoring`` entries, and each (system, stage)'s monitoring cost.

    A group whose region (or one of whose items) has no price is handed to ``unpriced``
    (with the region and why) instead of failing the estimate.
    """
    costs: dict[tuple[str, str], Cost] = {}
    entries: list[dict[str, Any]] = []
    for (system, stage), group in sorted(groups.items()):
        # Monitoring is priced in the stack's region (CloudWatch, SNS and Budgets are regional or global).
        region = next((regions[s] for s in sorted(group.stacks) if s in regions), default_region)
        try:
            components = monitoring_components(group, book.region(region), book.hours_per_month)
        except MissingPrice as missing:
            unpriced(group, region, missing.detail)
            continue
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
