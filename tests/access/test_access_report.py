"""The access report: up to date in docs/, and its matrix and graph agree with the expected matrix."""

from __future__ import annotations

import re

import pytest

from tableforge.catalog import load_catalog
from tests.access.expected import EXPECTED, STACKPRO_MARKETPLACE
from tests.conftest import ROOT
from tools.access_report import render

SYSTEMS = ("auxeira", "stackpro", "transcription")


@pytest.fixture(scope="module")
def reports() -> dict[str, str]:
    catalog = load_catalog(ROOT / "catalog")
    return {system: render(catalog, system) for system in SYSTEMS}


def _expected(system: str) -> dict[str, dict[str, frozenset[str]]]:
    return {**EXPECTED[system], **(STACKPRO_MARKETPLACE if system == "stackpro" else {})}


@pytest.mark.parametrize("system", SYSTEMS)
def test_committed_report_is_current(reports: dict[str, str], system: str) -> None:
    committed = ROOT / "docs" / f"access-{system}.md"
    assert committed.is_file(), "run `make access-report`"
    assert committed.read_text() == reports[system], f"{committed} is stale: run `make access-report`"


@pytest.mark.parametrize("system", SYSTEMS)
def test_matrix_cells_follow_the_expected_matrix(reports: dict[str, str], system: str) -> None:
    lines = reports[system].splitlines()
    start = lines.index("## Matrix: table x consumer -> actions") + 2
    header = [c.strip().strip("`") for c in lines[start].strip("|").split("|")]
    assert header[0] == "table"
    consumers = header[1:]
    expected = _expected(system)
    assert set(consumers) == set(expected)
    cells: dict[tuple[str, str], str] = {}
    for row in lines[start + 2 :]:
        if not row.startswith("| `"):
            break
        values = [c.strip() for c in row.strip("|").split("|")]
        table = values[0].strip("`")
        for consumer, cell in zip(consumers, values[1:], strict=True):
            cells[(consumer, table)] = cell
    for consumer, grants in expected.items():
        tables = {resource.split("/")[0] for resource in grants}
        for (who, table), cell in cells.items():
            if who == consumer:
                assert bool(cell) == (table in tables), f"{consumer} x {table}: {cell!r}"
        for resource, actions in grants.items():
            if "/index/" in resource:
                assert f"`{resource.split('/index/')[1]}`" in cells[(consumer, resource.split("/")[0])]
            elif "Scan" in actions:
                assert "+Scan" in cells[(consumer, resource)]


@pytest.mark.parametrize("system", SYSTEMS)
def test_mermaid_graph_has_one_edge_per_grant(reports: dict[str, str], system: str) -> None:
    graph = reports[system].split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert graph.startswith("graph LR")
    edges = set(re.findall(r"c_(\w+) (?:-- [\w-]+ -->|-\. read \.->) t_(\w+)", graph))
    expected = {
        (consumer.replace("-", "_"), resource.split("/")[0].replace("-", "_"))
        for consumer, grants in _expected(system).items()
        for resource in grants
    }
    assert edges == expected


def test_read_only_and_write_only_edges_are_labelled(reports: dict[str, str]) -> None:
    graph = reports["auxeira"]
    assert "c_analyst -. read .-> t_user_activity" in graph
    assert "c_activity_ingester -- write --> t_user_activity" in graph
    assert "c_dashboard_api -- read-write --> t_users" in graph


def test_docs_dir_holds_only_generated_reports() -> None:
    assert {p.name for p in (ROOT / "docs").glob("access-*.md")} == {f"access-{s}.md" for s in SYSTEMS}
