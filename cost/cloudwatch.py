"""What CloudWatch bills for one alarm or dashboard, read from its template properties.

Alarms are billed per alarm metric, not per alarm (PRICING.md, corrected
2026-12-01, quoting the CloudWatch pricing page and the User Guide's
``cloudwatch_billing``):

* a single-metric alarm bills one metric;
* a metric-math alarm bills each metric its expression references (each
  ``MetricStat`` query, up to 10); an expression entry itself is not a metric;
* an anomaly-detection alarm bills its metric plus two band metrics (upper and
  lower) per ``ANOMALY_DETECTION_BAND``;
* any period under 60 seconds makes the alarm high resolution, and each of its
  metrics is billed at the high-resolution price.

Only standard-resolution single-metric alarms count towards the 10 free alarm
metrics ("for standard alarms that list metrics directly"); only dashboards of
at most 50 metrics count towards the 3 free dashboards.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

#: CloudWatch: a period under 60 s is high resolution.
HIGH_RESOLUTION_BELOW_SECONDS = 60
#: PRICING.md: an anomaly-detection alarm adds the upper and lower band metrics.
BAND_METRICS = 2
#: PRICING.md: the free dashboards hold "up to 50 metrics each".
FREE_DASHBOARD_MAX_METRICS = 50
_BAND = re.compile(r"\bANOMALY_DETECTION_BAND\s*\(")


@dataclass(frozen=True)
class AlarmMetrics:
    """The billed metrics of one ``AWS::CloudWatch::Alarm``."""

    metrics: int
    high_resolution: bool
    #: ``single``, ``math`` or ``anomaly``.
    kind: str
    #: True when the count is a guess (a Metrics Insights query: its metrics are unknown until it runs).
    uncertain: bool = False

    @property
    def free_tier_eligible(self) -> bool:
        """The 10 free alarm metrics are for standard-resolution alarms that list their metric directly."""
        return self.kind == "single" and not self.high_resolution


def _periods(props: dict[str, Any], queries: list[dict[str, Any]]) -> list[Any]:
    periods = [props.get("Period")]
    for query in queries:
        periods.append((query.get("MetricStat") or {}).get("Period"))
        periods.append(query.get("Period"))
    return periods


def alarm_metrics(props: dict[str, Any]) -> AlarmMetrics:
    """How many metrics CloudWatch bills for an alarm with these properties, and at which resolution."""
    queries = [q for q in props.get("Metrics") or [] if isinstance(q, dict)]
    high = any(isinstance(p, int | float) and p < HIGH_RESOLUTION_BELOW_SECONDS for p in _periods(props, queries))
    if not queries:
        return AlarmMetrics(1, high, "single")
    metrics = sum(1 for q in queries if "MetricStat" in q)
    expressions = [str(q.get("Expression", "")) for q in queries if "Expression" in q]
    bands = sum(len(_BAND.findall(e)) for e in expressions)
    if metrics == 0:
        # A Metrics Insights query (SELECT ...) names its metrics only when it runs.
        return AlarmMetrics(max(1, bands * (1 + BAND_METRICS)), high, "math", uncertain=True)
    if bands:
        return AlarmMetrics(metrics + BAND_METRICS * bands, high, "anomaly")
    return AlarmMetrics(metrics, high, "single" if metrics == 1 and not expressions else "math")


def _body(value: Any) -> dict[str, Any] | None:
    """A dashboard body as JSON: a string, or ``Fn::Sub`` of one (CDK's form); None when unreadable."""
    if isinstance(value, dict) and set(value) == {"Fn::Sub"}:
        value = value["Fn::Sub"]
        value = value[0] if isinstance(value, list) and value else value
    if not isinstance(value, str):
        return None
    try:
        body = json.loads(value)
    except json.JSONDecodeError:
        return None
    return body if isinstance(body, dict) else None


def dashboard_metrics(props: dict[str, Any]) -> int | None:
    """The metrics a dashboard graphs (math expressions excluded); None when the body cannot be read."""
    body = _body(props.get("DashboardBody"))
    if body is None:
        return None
    count = 0
    for widget in body.get("widgets") or []:
        lines = ((widget or {}).get("properties") or {}).get("metrics") or []
        # A metric line starts with its namespace (or "..." repeating the previous line); an
        # expression line is [{"expression": ...}].
        count += sum(1 for line in lines if isinstance(line, list) and line and isinstance(line[0], str))
    return count
