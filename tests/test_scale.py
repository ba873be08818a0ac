"""A 500-table system stays within CloudFormation's limits, and growing it moves nothing.

CloudFormation's documented limits: 500 resources and 200 outputs per stack, and
1 MB for a template uploaded through S3 (which `cdk deploy` uses).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tableforge import generate
from tests import background
from tests.conftest import Synthesized, from_disk, synthesize

MAX_RESOURCES = 500
MAX_OUTPUTS = 200
MAX_TEMPLATE_BYTES = 1_000_000


def placements(synth: Synthesized) -> dict[str, tuple[str, str]]:
    """Physical table name -> (stack, logical id)."""
    out = {}
    for stack, logical_id, resource in synth.tables():
        out[resource["Properties"]["TableName"]] = (stack, logical_id)
    return out


def alarm_stacks(synth: Synthesized) -> dict[str, str]:
    """Alarm name -> stack, for every CloudWatch alarm (empty when there are none)."""
    out = {}
    for stack, template in synth.templates.items():
        for resource in template.get("Resources", {}).values():
            if resource["Type"] == "AWS::CloudWatch::Alarm":
                name = resource["Properties"].get("AlarmName")
                if isinstance(name, str):
                    out[name] = stack
    return out


def synthesize_growth() -> dict[str, Any]:
    """The 500-table catalog synthesized, then grown by 10 tables and shrunk by 3 and synthesized
    again, in a new temporary directory: returns it, both assemblies in it and the grown catalog."""
    root = Path(tempfile.mkdtemp(prefix="tableforge-scale-"))
    catalog = generate.generate(500, per_stack=50)
    generate.write(catalog, root / "catalog-500")
    # Limits, stacks and logical IDs do not depend on CDK's template validation, which
    # costs most of a 500-table synth; the real app's templates are validated elsewhere.
    synthesize(root / "out-500", builtin_validation=False, catalog_dir=str(root / "catalog-500"), stages="prod")

    # Grow by 10 (new tables go to a new stack, as the rule says) and drop 3.
    after_catalog = json.loads(json.dumps(catalog))
    after_catalog["tables"].update(generate.generate(10, start=500, per_stack=50)["tables"])
    for name in ("table-0007", "table-0123", "table-0499"):
        del after_catalog["tables"][name]
    generate.write(after_catalog, root / "catalog-507")
    synthesize(root / "out-507", builtin_validation=False, catalog_dir=str(root / "catalog-507"), stages="prod")
    return {
        "root": str(root),
        "before": str(root / "out-500"),
        "after": str(root / "out-507"),
        "catalog": after_catalog,
    }


# Two large synths that need nothing from the session: they run on the other core from the start.
background.soon("scale", synthesize_growth)


@pytest.fixture(scope="module")
def grown() -> Iterator[tuple[Synthesized, Synthesized, dict[str, Any]]]:
    out = background.result("scale")
    try:
        yield from_disk(Path(out["before"])), from_disk(Path(out["after"])), out["catalog"]
    finally:
        shutil.rmtree(out["root"], ignore_errors=True)


def test_500_tables_fit_cloudformation_limits(grown: tuple[Synthesized, Synthesized, dict[str, Any]]) -> None:
    before, after, _ = grown
    for synth in (before, after):
        for name, template in synth.templates.items():
            resources = len(template.get("Resources", {}))
            outputs = len(template.get("Outputs", {}))
            size = len(json.dumps(template, separators=(",", ":")).encode())
            assert resources <= MAX_RESOURCES, f"{name}: {resources} resources"
            assert outputs <= MAX_OUTPUTS, f"{name}: {outputs} outputs"
            assert size <= MAX_TEMPLATE_BYTES, f"{name}: {size} bytes"
    assert len(before.tables()) == 500
    assert len(after.tables()) == 507


def test_growing_the_catalog_moves_no_existing_table(grown: tuple[Synthesized, Synthesized, dict[str, Any]]) -> None:
    before, after, _ = grown
    old, new = placements(before), placements(after)
    kept = set(old) & set(new)
    assert len(kept) == 497
    moved = {name: (old[name], new[name]) for name in kept if old[name] != new[name]}
    assert not moved, f"tables changed stack or logical ID: {sorted(moved)[:5]}"
    added = set(new) - set(old)
    assert len(added) == 10
    assert {new[name][0] for name in added} == {"Prod/BulkData10"}


def test_growing_the_catalog_moves_no_existing_alarm(grown: tuple[Synthesized, Synthesized, dict[str, Any]]) -> None:
    # Alarm names are fixed, so an alarm moving between stacks would collide on deploy.
    before, after, _ = grown
    old, new = alarm_stacks(before), alarm_stacks(after)
    moved = {name for name in set(old) & set(new) if old[name] != new[name]}
    assert not moved, f"alarms changed stack: {sorted(moved)[:5]}"


def test_new_tables_in_a_full_stack_are_refused(tmp_path: Path) -> None:
    from tableforge.catalog import load_catalog
    from tableforge.errors import CatalogError

    catalog = generate.generate(101, per_stack=200)
    generate.write(catalog, tmp_path)
    with pytest.raises(CatalogError, match="stack 0 holds 101 tables"):
        load_catalog(tmp_path)
