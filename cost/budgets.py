"""The budget beside the estimate: each system and stage's ``AWS::Budgets::Budget`` as synthesized.

The amount is read from the template (what will deploy), not from the catalog.
An estimate is a range (autoscaled capacity, key rotations, Application Auto
Scaling's alarm count); it fits when its lower bound does, and the verdict says
whether the upper bound does too.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from cost.render import dollars
from tableforge.assembly import StackTemplate

BUDGET = "AWS::Budgets::Budget"


def read_budgets(stacks: list[StackTemplate]) -> dict[tuple[str, str], Decimal]:
    """(system, stage) -> the monthly USD limit of its synthesized COST budget (summed if several)."""
    budgets: dict[tuple[str, str], Decimal] = {}
    for stack in stacks:
        if stack.system is None or stack.stage_name is None:
            continue
        for _, resource in stack.resources(BUDGET):
            limit = ((resource.get("Properties") or {}).get("Budget") or {}).get("BudgetLimit") or {}
            amount = _amount(limit)
            if amount is not None:
                key = (stack.system, stack.stage_name)
                budgets[key] = budgets.get(key, Decimal(0)) + amount
    return budgets


def _amount(limit: dict[str, Any]) -> Decimal | None:
    if limit.get("Unit", "USD") != "USD":
        return None
    try:
        return Decimal(str(limit.get("Amount")))
    except InvalidOperation:  # an intrinsic: the amount is decided at deploy
        return None


@dataclass(frozen=True)
class Verdict:
    """An estimate (min, max) against a budget."""

    budget: Decimal
    low: Decimal
    high: Decimal

    @property
    def over(self) -> bool:
        """The lower bound is over the budget: it cannot fit."""
        return self.low > self.budget

    @property
    def over_at_max(self) -> bool:
        return self.high > self.budget

    @property
    def status(self) -> str:
        return "over" if self.over else "over-at-max" if self.over_at_max else "within"

    def estimate_text(self) -> str:
        return dollars(self.low) if self.low == self.high else f"{dollars(self.low)}-{dollars(self.high)}"

    def line(self) -> str:
        """``budget $50.00: estimate $31.20-$58.00 (over at the maximum)``."""
        why = {
            "over": "OVER BUDGET at the lower bound",
            "over-at-max": "over at the maximum",
            "within": "fits",
        }[self.status]
        return f"budget {dollars(self.budget)}: estimate {self.estimate_text()} ({why})"


def money_range(entry: dict[str, Any], prefix: str = "monthly_usd") -> tuple[Decimal, Decimal]:
    """An estimate result's amount (one decimal string, or ``_min``/``_max``) as (min, max)."""
    if prefix in entry:
        value = Decimal(entry[prefix])
        return value, value
    return Decimal(entry[f"{prefix}_min"]), Decimal(entry[f"{prefix}_max"])


def verdicts(result: dict[str, Any], budgets: dict[tuple[str, str], Decimal]) -> dict[tuple[str, str], Verdict]:
    """(system, stage) -> its estimate against its budget, for every group that has both."""
    out = {}
    for group in result["totals"]:
        key = (group["system"], group["stage"])
        if key in budgets:
            low, high = money_range(group)
            out[key] = Verdict(budgets[key], low, high)
    return out
