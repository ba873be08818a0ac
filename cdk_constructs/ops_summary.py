"""The synth summary's alarm count per system and stage (each alarm costs money).

tableforge.summary.summarize() calls :func:`add_alarm_counts`. Reads the synthesized
templates only (no aws_cdk import), like the summary itself: the ops stacks by the
system, stage and kind each stack writes into its template metadata.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cost.cloudwatch import alarm_metrics
from tableforge.assembly import StackTemplate

if TYPE_CHECKING:  # tableforge.summary imports this module
    from tableforge.summary import SystemStage

METRIC_ALARM = "AWS::CloudWatch::Alarm"
COMPOSITE_ALARM = "AWS::CloudWatch::CompositeAlarm"


def alarm_counts(stacks: list[StackTemplate]) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(system, stage) -> (metric alarms, alarm metrics billed, composite alarms)."""
    counts: dict[tuple[str, str], tuple[int, int, int]] = {}
    for stack in stacks:
        if stack.kind != "ops" or stack.system is None or stack.stage_name is None:
            continue
        metric_alarms = [r for _, r in stack.resources(METRIC_ALARM)]
        billed = sum(_metrics_of(r) for r in metric_alarms)
        composites = sum(1 for _ in stack.resources(COMPOSITE_ALARM))
        key = (stack.system, stack.stage_name)
        old = counts.get(key, (0, 0, 0))
        counts[key] = (old[0] + len(metric_alarms), old[1] + billed, old[2] + composites)
    return counts


def _metrics_of(alarm: dict[str, Any]) -> int:
    # Counted as the estimator counts what CloudWatch bills (metric math, anomaly bands).
    return alarm_metrics(alarm.get("Properties") or {}).metrics


def add_alarm_counts(stacks: list[StackTemplate], groups: dict[tuple[str, str], SystemStage]) -> None:
    for key, (alarms, billed, composites) in alarm_counts(stacks).items():
        if key in groups:
            groups[key].extra["alarms"] = f"{alarms} (+{composites} composite, {billed} alarm metrics)"
