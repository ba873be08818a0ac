"""Money and the estimate result: Cost, Component, the running Estimate, and the JSON-shaped result.

All money is Decimal until it is written out; nothing is rounded here except
:func:`usd`, which writes exact-to-$0.0001 decimal strings (display rounding is
cost.render's).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from cost.prices import PriceBook

MILLION = Decimal(1_000_000)
HUNDRED_K = Decimal(100_000)
ZERO = Decimal(0)
#: Stages in the order they are listed; other stages follow, by name.
STAGE_ORDER = {"dev": 0, "staging": 1, "prod": 2}


def stage_key(stage: str) -> tuple[int, str]:
    return STAGE_ORDER.get(stage, 9), stage


@dataclass(frozen=True)
class Cost:
    """A monthly amount, or a min-max range for autoscaled capacity."""

    min: Decimal
    max: Decimal

    @staticmethod
    def of(value: Decimal) -> Cost:
        return Cost(value, value)

    @property
    def is_range(self) -> bool:
        return self.min != self.max

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.min + other.min, self.max + other.max)


def total(costs: Iterable[Cost]) -> Cost:
    out = Cost.of(ZERO)
    for cost in costs:
        out = out + cost
    return out


def usd(value: Decimal) -> str:
    """Money in JSON: a decimal string, exact to 1/10,000 of a dollar (round only for display)."""
    return str(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def money(cost: Cost, prefix: str = "monthly_usd") -> dict[str, str]:
    if cost.is_range:
        return {f"{prefix}_min": usd(cost.min), f"{prefix}_max": usd(cost.max)}
    return {prefix: usd(cost.min)}


@dataclass
class Component:
    name: str
    cost: Cost
    detail: str
    #: Expected cost for autoscaled capacity when usage gives consumed units.
    expected: Decimal | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, **money(self.cost), "detail": self.detail}
        if self.expected is not None:
            out["monthly_usd_expected"] = usd(self.expected)
        return out


@dataclass
class Estimate:
    """What pricing has found so far: priced tables, skipped resources, assumptions, free-tier use."""

    book: PriceBook
    tables: list[dict[str, Any]] = field(default_factory=list)
    #: (system, stage, cost) of every priced table.
    table_costs: list[tuple[str, str, Cost]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    #: What could not be priced (a region without prices): one entry per table part or monitoring group.
    unpriced: list[dict[str, str | None]] = field(default_factory=list)
    no_charge: dict[str, int] = field(default_factory=dict)
    assumptions: dict[str, None] = field(default_factory=dict)
    #: (stage, region) -> free-tier quantities used.
    free_use: dict[tuple[str, str], dict[str, Decimal]] = field(default_factory=dict)

    def assume(self, text: str) -> None:
        self.assumptions.setdefault(text, None)

    def use_free(self, stage: str, region: str, item: str, amount: Decimal) -> None:
        bucket = self.free_use.setdefault((stage, region), {})
        bucket[item] = bucket.get(item, ZERO) + amount

    def skip(self, stack: str, logical_id: str, kind: str, reason: str) -> None:
        self.skipped.append({"stack": stack, "logical_id": logical_id, "type": kind, "reason": reason})

    def not_priced(
        self, stack: str, logical_id: str | None, system: str, table: str | None, stage: str, **part: str
    ) -> None:
        """Name what could not be priced (``what``, ``region``, ``reason``); the rest of the estimate stands."""
        self.unpriced.append(
            {"stack": stack, "logical_id": logical_id, "system": system, "table": table, "stage": stage, **part}
        )

    def no_charge_for(self, kind: str) -> None:
        self.no_charge[kind] = self.no_charge.get(kind, 0) + 1


def _totals(estimate: Estimate, monitoring_costs: dict[tuple[str, str], Cost]) -> dict[tuple[str, str], Cost]:
    """(system, stage) -> its tables and monitoring."""
    totals: dict[tuple[str, str], Cost] = {}
    for system, stage, cost in estimate.table_costs:
        totals[(system, stage)] = totals.get((system, stage), Cost.of(ZERO)) + cost
    for key, cost in monitoring_costs.items():
        totals[key] = totals.get(key, Cost.of(ZERO)) + cost
    return totals


def build_result(
    estimate: Estimate,
    monitoring: list[dict[str, Any]],
    monitoring_costs: dict[tuple[str, str], Cost],
    free_tier: list[dict[str, Any]],
) -> dict[str, Any]:
    """The JSON-shaped result (see cost.api for its fields)."""
    book = estimate.book
    totals = _totals(estimate, monitoring_costs)
    ordered = sorted(totals, key=lambda k: (*stage_key(k[1]), k[0]))
    stage_names = sorted({st for _, st in totals}, key=stage_key)
    estimate.assume("Totals are before the free tier, which is shown once per stage (one AWS account per stage).")
    if estimate.unpriced:
        estimate.assume(
            "Totals leave out what is listed under unpriced (regions without prices): they are lower bounds there."
        )
    return {
        "price_date": book.price_date,
        "price_source": book.source,
        "price_file": book.path,
        "currency": "USD",
        "money_format": "decimal strings in USD per month, exact to $0.0001; parse with decimal.Decimal",
        "stage": None,
        "tables": sorted(estimate.tables, key=lambda t: (*stage_key(t["stage"]), t["system"], t["table"])),
        "monitoring": monitoring,
        **money(total(monitoring_costs.values()), "monitoring_monthly_usd"),
        "totals": [{"system": s, "stage": st, **money(totals[(s, st)])} for s, st in ordered],
        "stage_totals": [
            {"stage": st, **money(total(c for (_, g), c in totals.items() if g == st))} for st in stage_names
        ],
        "free_tier": free_tier,
        **money(total(totals.values()), "total_monthly_usd"),
        "skipped": estimate.skipped,
        "unpriced": estimate.unpriced,
        "no_charge": dict(sorted(estimate.no_charge.items())),
        "assumptions": list(estimate.assumptions),
    }
