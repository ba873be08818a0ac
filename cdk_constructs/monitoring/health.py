"""The system-health composite: ALARM when any alarm of a system and stage is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import CfnResource
from aws_cdk import aws_cloudwatch as cw
from constructs import Construct

from tableforge.naming import health_alarm_name, health_part_name
from tableforge.stages import StageConfig

#: CloudWatch: a composite alarm's rule may name at most 100 alarms.
MAX_ALARMS_PER_COMPOSITE_RULE = 100
#: CloudWatch: a composite alarm's rule is at most 10,240 characters.
MAX_RULE_CHARS = 10_240


def health_rules(
    alarm_names: Sequence[str], limit: int = MAX_ALARMS_PER_COMPOSITE_RULE, max_chars: int = MAX_RULE_CHARS
) -> list[list[str]]:
    """Consecutive groups of alarm names, each small enough for one composite rule.

    A group holds at most ``limit`` names and its ``ALARM("a") OR ...`` rule at
    most ``max_chars`` characters (long table names reach that before 100 names).
    """
    groups: list[list[str]] = []
    length = 0
    for name in alarm_names:
        term = len(_any_alarm([name]))
        if not groups or len(groups[-1]) == limit or length + len(" OR ") + term > max_chars:
            groups.append([])
            length = -len(" OR ")
        groups[-1].append(name)
        length += len(" OR ") + term
    return groups


def _any_alarm(names: Sequence[str]) -> str:
    return " OR ".join(f'ALARM("{name}")' for name in names)


class SystemHealth(Construct):
    """One composite ``<system>-<stage>-system-health`` alarm: ALARM when any alarm is.

    A rule may name at most 100 alarms, so above that the alarms are grouped
    into ``<system>-<stage>-health-part-N`` composites that the health alarm
    combines. Every composite has alarm and OK actions on the topic, like every
    other alarm.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        system: str,
        stage: StageConfig,
        alarms: Sequence[tuple[str, CfnResource]],
        topic_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self._actions = [topic_arn]
        self._health_name = health_alarm_name(system, stage.name)
        names = [name for name, _ in alarms]
        groups = health_rules(names)
        children: list[tuple[str, list[Any]]]
        if len(groups) <= 1:
            children = [(name, [resource]) for name, resource in alarms]
        else:
            children = self._parts(system, stage.name, groups, alarms)
        health = self._composite(
            "Alarm",
            self._health_name,
            # An empty system still gets a valid rule: FALSE never alarms.
            _any_alarm([name for name, _ in children]) or "FALSE",
            f"Any of the {len(names)} alarms of {system} ({stage.name}) is in ALARM",
        )
        _depends_on(health, [r for _, resources in children for r in resources])
        self.composite_count = 1 + (len(groups) if len(groups) > 1 else 0)

    def _parts(
        self, system: str, stage: str, groups: Sequence[Sequence[str]], alarms: Sequence[tuple[str, CfnResource]]
    ) -> list[tuple[str, list[Any]]]:
        """One ``<system>-<stage>-health-part-N`` composite per group: (its name, [it])."""
        children: list[tuple[str, list[Any]]] = []
        start = 0
        for number, group in enumerate(groups, start=1):
            name = health_part_name(system, stage, number)
            part = self._composite(
                f"Part{number}",
                name,
                _any_alarm(group),
                f"Part {number} of {len(groups)} of {self._health_name} "
                f"(a composite rule names at most {MAX_ALARMS_PER_COMPOSITE_RULE} alarms)",
            )
            # Groups are consecutive slices of ``alarms``.
            _depends_on(part, [resource for _, resource in alarms[start : start + len(group)]])
            start += len(group)
            children.append((name, [part]))
        return children

    def _composite(self, construct_id: str, name: str, rule: str, description: str) -> cw.CfnCompositeAlarm:
        """A composite alarm with alarm and OK actions on the topic, like every other alarm."""
        return cw.CfnCompositeAlarm(
            self,
            construct_id,
            alarm_name=name,
            alarm_rule=rule,
            alarm_description=description,
            actions_enabled=True,
            alarm_actions=self._actions,
            ok_actions=self._actions,
        )


def _depends_on(resource: Construct, others: Sequence[Construct]) -> None:
    # Rules name alarms by string and CloudWatch refuses a rule naming an alarm that
    # does not exist yet, so the order is spelled out: one call per composite, and
    # CDK turns it into DependsOn (same stack) or a stack dependency (other shards).
    if others:
        resource.node.add_dependency(*others)
