"""Reading the ops stacks out of the shared synth."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tableforge.assembly import STACK_METADATA_KEY

STAGES = ("dev", "staging", "prod")
SYSTEMS = ("auxeira", "stackpro", "transcription")
ALARM = "AWS::CloudWatch::Alarm"
COMPOSITE = "AWS::CloudWatch::CompositeAlarm"


def ops_stack(stage: str, system: str) -> str:
    """Display name of a system's (first) ops stack: ``Dev/AuxeiraOps``."""
    return f"{stage.capitalize()}/{system.capitalize()}Ops"


def ops_templates(templates: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every ops stack template (by the kind each stack writes into its template metadata)."""
    return {
        name: t
        for name, t in templates.items()
        if (t.get("Metadata", {}).get(STACK_METADATA_KEY) or {}).get("kind") == "ops"
    }


def resources(template: dict[str, Any], *types: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, resource in template.get("Resources", {}).items():
        if resource["Type"] in types:
            yield logical_id, resource


def alarms_by_name(template: dict[str, Any], *types: str) -> dict[str, dict[str, Any]]:
    return {r["Properties"]["AlarmName"]: r for _, r in resources(template, *(types or (ALARM,)))}


def logical_id_of(template: dict[str, Any], type_: str) -> str:
    ids = [logical_id for logical_id, _ in resources(template, type_)]
    assert len(ids) == 1, f"expected one {type_}, found {ids}"
    return ids[0]
