"""Logical IDs of tables never change: a changed logical ID replaces the table and loses its data."""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import App
from aws_cdk.assertions import Template

from stacks.data_stack import DataStack
from tests.conftest import Synthesized

PINS = Path(__file__).parent / "pins" / "table_logical_ids.json"


def table_ids(template: dict) -> dict[str, str]:
    return {
        r["Properties"]["TableName"]: logical_id
        for logical_id, r in template["Resources"].items()
        if r["Type"] == "AWS::DynamoDB::GlobalTable"
    }


def test_table_logical_ids_are_pinned(synth: Synthesized) -> None:
    """The pin file was written when the tables were first declared. If this fails, a
    refactor changed a construct ID or moved a table between stacks: CloudFormation
    would delete the table and create an empty one. Restore the old ID instead; only
    update the pin for a table that has never been deployed."""
    pins = json.loads(PINS.read_text())
    actual = {name: table_ids(template) for name, template in synth.templates.items() if name in pins}
    assert set(actual) == set(pins), "a data stack appeared or disappeared"
    for stack, expected in pins.items():
        moved = {t: (expected[t], actual[stack].get(t)) for t in expected if actual[stack].get(t) != expected[t]}
        assert not moved, f"{stack}: logical IDs changed (pinned, now): {moved}"
        assert actual[stack] == expected, f"{stack}: tables added without a pin"


def test_logical_ids_do_not_depend_on_catalog_order(synth: Synthesized) -> None:
    catalog = synth.catalog
    tables = catalog.tables("transcription")
    reversed_tables = dict(reversed(list(tables.items())))
    config = synth.stages["dev"].config
    app = App()
    # Same construct path as the real stack: Dev/TranscriptionData inside a Stage.
    from aws_cdk import Stage

    stage = Stage(app, "Dev")
    stack = DataStack(
        stage, "TranscriptionData", system="transcription", stack=0, tables=reversed_tables, config=config
    )
    rebuilt = table_ids(Template.from_stack(stack).to_json())
    assert rebuilt == table_ids(synth.template("Dev/TranscriptionData"))
    assert list(tables) != list(reversed_tables)
