"""Adds each system's and stage's monthly estimate, and its budget, to the `make synth` summary.

tableforge.summary.summarize() calls :func:`add_monthly_estimate`. It uses the
default usage/ profiles and the shipped price file; a problem there is shown in
the summary instead of failing the synth. The budget is the synthesized
``AWS::Budgets::Budget`` (what will deploy): every group gets a line
``budget $50.00: estimate $31.20-$58.00 (over at the maximum)``, and a warning
when even the estimate's lower bound is over it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tableforge.assembly import StackTemplate
from tableforge.errors import TableforgeError

if TYPE_CHECKING:  # tableforge.summary imports this module
    from tableforge.summary import SystemStage

LABEL = "est. monthly"


def add_monthly_estimate(stacks: list[StackTemplate], groups: dict[tuple[str, str], SystemStage]) -> None:
    from cost.budgets import read_budgets, verdicts
    from cost.estimate import estimate_stacks
    from cost.prices import load_price_book
    from cost.render import amount, dollars
    from cost.usage import load_usage_dir

    try:
        book = load_price_book()
        result = estimate_stacks(stacks, book=book, usage_files=load_usage_dir())
    except TableforgeError as error:
        for group in groups.values():
            group.extra[LABEL] = f"unavailable ({error})"
        return
    per_group = {(t["system"], t["stage"]): t for t in result["totals"]}
    per_stage = {s["stage"]: s for s in result["stage_totals"]}
    for key, group in groups.items():
        if key in per_group:
            stage_total = per_stage[key[1]]
            group.extra[LABEL] = (
                f"{amount(per_group[key])}{_unpriced(result, key)} "
                f"(stage {key[1]} {amount(stage_total)}, prices {book.price_date})"
            )
    budgets = read_budgets(stacks)
    checked = verdicts(result, budgets)
    for key, group in groups.items():
        verdict = checked.get(key)
        if verdict is None:
            group.lines.append("budget: none synthesized" if key not in budgets else "budget: no estimate")
            continue
        group.lines.append(verdict.line())
        if verdict.over:
            group.warnings.append(
                f"warning: {key[0]} / {key[1]}: the estimate's lower bound {dollars(verdict.low)} "
                f"is over the {dollars(verdict.budget)} budget; raise the budget in "
                f"catalog/{key[0]}.yaml (budget.stages.{key[1]}) or trim the stage's monitoring profile "
                '(README "Budgets and the estimate")'
            )


def _unpriced(result: dict[str, Any], key: tuple[str, str]) -> str:
    parts = [u["what"] for u in result.get("unpriced", []) if (u["system"], u["stage"]) == key]
    return f" + unpriced: {', '.join(parts)}" if parts else ""
