"""The budget is part of the plan: the synthesized app fits the seeds' budgets where it can, says so where not.

Budgets from the seeds: auxeira $50 a stage (000: "Monthly costs under $50"),
stackpro $5 (002's "$5 limit"), transcription $25 (the top of 004's DynamoDB
"$15-25"). The estimate's lower bound must fit in dev and staging; prod fits
where the monitoring it needs allows (README "Budgets and the estimate").
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from cost.api import estimate_assembly
from cost.budgets import Verdict
from review.cost_delta import compare_estimates, cost_delta
from tableforge.assembly import read_assembly
from tableforge.summary import render, summarize

BUDGETS = {"auxeira": D(50), "stackpro": D(5), "transcription": D(25)}
#: Where prod cannot fit with what it must watch (README shows the trade-off in figures).
PROD_OVER = {"auxeira", "stackpro"}


def _low(entry: dict[str, Any]) -> D:
    return D(entry.get("monthly_usd", entry.get("monthly_usd_min")))


def test_every_systems_dev_and_staging_lower_bound_fits_its_budget(synth: Any) -> None:
    result = estimate_assembly(synth.outdir)
    totals = {(t["system"], t["stage"]): t for t in result["totals"]}
    for system, budget in BUDGETS.items():
        for stage in ("dev", "staging"):
            assert _low(totals[(system, stage)]) <= budget, (system, stage, totals[(system, stage)])
        assert (_low(totals[(system, "prod")]) > budget) == (system in PROD_OVER), system
    assert result["unpriced"] == []


def test_the_summary_prints_the_budget_beside_every_estimate_and_warns_when_over(synth: Any) -> None:
    groups = summarize(read_assembly(synth.outdir))
    assert len(groups) == 9
    for (system, stage), group in groups.items():
        [line] = group.lines
        assert line.startswith(f"budget ${BUDGETS[system]:.2f}: estimate $"), (system, stage, line)
    assert groups[("transcription", "prod")].lines[0].endswith("(fits)")
    assert groups[("auxeira", "prod")].lines[0].endswith("(OVER BUDGET at the lower bound)")
    text = render(groups)
    warnings = [line for line in text.splitlines() if line.startswith("warning: ")]
    assert [w.split(":")[1].strip() for w in warnings] == ["auxeira / prod", "stackpro / prod"]
    assert "catalog/stackpro.yaml (budget.stages.prod)" in warnings[1]


@pytest.mark.parametrize(
    ("low", "high", "status", "text"),
    [
        ("31.20", "58.00", "over-at-max", "budget $50.00: estimate $31.20-$58.00 (over at the maximum)"),
        ("2.30", "2.30", "within", "budget $50.00: estimate $2.30 (fits)"),
        ("50.01", "60", "over", "budget $50.00: estimate $50.01-$60.00 (OVER BUDGET at the lower bound)"),
    ],
)
def test_budget_line(low: str, high: str, status: str, text: str) -> None:
    verdict = Verdict(D(50), D(low), D(high))
    assert (verdict.status, verdict.line()) == (status, text)


def _result(system: str, stage: str, low: str, high: str | None = None) -> dict[str, Any]:
    money = {"monthly_usd": low} if high is None else {"monthly_usd_min": low, "monthly_usd_max": high}
    return {"tables": [], "totals": [{"system": system, "stage": stage, **money}], "total_monthly_usd": low}


def test_the_review_says_when_a_change_pushes_a_system_over_its_budget() -> None:
    budgets = {("stackpro", "prod"): D(5)}
    delta = compare_estimates(_result("stackpro", "prod", "4.70"), _result("stackpro", "prod", "9.70"), budgets=budgets)
    [entry] = delta["budgets"]
    assert (entry["change"], entry["budget_usd"]) == ("pushed-over", "5.0000")
    assert "**OVER BUDGET** after this change: stackpro/prod (budget $5.00, estimate $4.70 -> $9.70)" in delta["note"]
    # Already over before the change: said, but not as something this change did.
    again = compare_estimates(_result("stackpro", "prod", "9.70"), _result("stackpro", "prod", "9.80"), budgets=budgets)
    assert again["budgets"][0]["change"] == "still-over" and "already over budget: stackpro/prod" in again["note"]
    assert "after this change" not in again["note"]
    fine = compare_estimates(
        _result("stackpro", "prod", "1", "6"), _result("stackpro", "prod", "2", "7"), budgets=budgets
    )
    assert fine["budgets"][0]["change"] == "over-at-max" and "budget" not in fine["note"]


def _copy(synth: Any, target: Path) -> Path:
    shutil.copytree(synth.outdir, target, ignore=shutil.ignore_patterns("tree.json"))
    return target


def test_the_review_reads_the_heads_synthesized_budget_and_names_unpriced_regions(synth: Any, tmp_path: Path) -> None:
    base, head = _copy(synth, tmp_path / "base"), _copy(synth, tmp_path / "head")
    ops = next(s for s in read_assembly(head) if (s.system, s.stage_name, s.kind) == ("stackpro", "dev", "ops"))
    template = json.loads(ops.template_path.read_text())
    budget = next(r for r in template["Resources"].values() if r["Type"] == "AWS::Budgets::Budget")
    budget["Properties"]["Budget"]["BudgetLimit"]["Amount"] = 2  # below stackpro dev's $2.30 floor
    ops.template_path.write_text(json.dumps(template))
    data = next(s for s in read_assembly(head) if (s.system, s.stage_name, s.kind) == ("stackpro", "dev", "data"))
    template = json.loads(data.template_path.read_text())
    table = next(r for r in template["Resources"].values() if r["Type"] == "AWS::DynamoDB::GlobalTable")
    table["Properties"]["Replicas"].append({**table["Properties"]["Replicas"][0], "Region": "eu-west-1"})
    data.template_path.write_text(json.dumps(template))

    delta = cost_delta(base, head, "dev")
    assert delta["available"] is True
    stackpro = next(b for b in delta["budgets"] if b["system"] == "stackpro")
    assert (stackpro["change"], stackpro["budget_usd"]) == ("pushed-over", "2.0000")
    assert "**OVER BUDGET** after this change: stackpro/dev (budget $2.00" in delta["note"]
    assert "not priced in the head (left out of its totals): dev stackpro/" in delta["note"]
    assert "replica eu-west-1" in delta["note"]
