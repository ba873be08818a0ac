"""The cost section: monthly delta per table and in total, from the cost estimator.

The estimator (``cost.api.estimate_assembly``) prices each assembly with the
default usage profiles; this module only subtracts. A missing estimator or one
that fails on an assembly leaves the section empty with a note, never the review.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

Money = tuple[Decimal, Decimal]
_ZERO = Decimal("0")
_CENT = Decimal("0.005")


def _range(entry: dict[str, Any], key: str) -> Money | None:
    """An estimator amount (a decimal string, or a min/max pair of them) as a (min, max) range."""
    if entry.get(key) is not None:
        return Decimal(str(entry[key])), Decimal(str(entry[key]))
    low, high = entry.get(f"{key}_min"), entry.get(f"{key}_max")
    if low is None and high is None:
        return None
    low = high if low is None else low
    high = low if high is None else high
    return Decimal(str(low)), Decimal(str(high))


def _key(entry: dict[str, Any]) -> tuple[str, ...]:
    # The catalog identity survives a logical-ID change; fall back to the resource.
    if entry.get("system") and entry.get("table") and entry.get("stage"):
        return ("table", str(entry["stage"]), str(entry["system"]), str(entry["table"]))
    return ("resource", str(entry.get("stack")), str(entry.get("logical_id")))


def _money(value: Money | None) -> dict[str, str] | None:
    """Decimal strings, like the estimator's, exact to $0.0001."""
    if value is None:
        return None
    return {"min": f"{value[0]:.4f}", "max": f"{value[1]:.4f}"}


def _delta(head: Money | None, base: Money | None) -> Money:
    h, b = head or (_ZERO, _ZERO), base or (_ZERO, _ZERO)
    # Ranges (autoscaled capacity): compare like with like, min with min and max with max.
    return h[0] - b[0], h[1] - b[1]


def unavailable(note: str) -> dict[str, Any]:
    return {"available": False, "note": note, "tables": [], "total": None}


def cost_delta(base_dir: Path, head_dir: Path, stage: str | None) -> dict[str, Any]:
    try:
        from cost.api import estimate_assembly  # the cost package may not exist in every checkout
    except ImportError as exc:
        return unavailable(f"cost estimator unavailable ({exc})")
    try:
        # Today's profiles price both sides; a profile entry for a table one side lacks
        # (added or removed by the change) is not an error here.
        base = estimate_assembly(base_dir, usage_dir=None, stage=stage, strict_usage=False)
        head = estimate_assembly(head_dir, usage_dir=None, stage=stage, strict_usage=False)
    except Exception as exc:
        return unavailable(f"cost estimator failed: {type(exc).__name__}: {exc}")
    return compare_estimates(base, head)


def compare_estimates(base: dict[str, Any], head: dict[str, Any]) -> dict[str, Any]:
    before = {_key(e): e for e in base.get("tables", [])}
    after = {_key(e): e for e in head.get("tables", [])}
    tables = []
    for key in sorted(set(before) | set(after)):
        b, h = before.get(key), after.get(key)
        b_cost = _range(b, "monthly_usd") if b else None
        h_cost = _range(h, "monthly_usd") if h else None
        delta = _delta(h_cost, b_cost)
        if b is not None and h is not None and abs(delta[0]) < _CENT and abs(delta[1]) < _CENT:
            continue
        entry = h or b or {}
        tables.append(
            {
                "stack": entry.get("stack"),
                "logical_id": entry.get("logical_id"),
                "table": entry.get("table"),
                "system": entry.get("system"),
                "stage": entry.get("stage"),
                "change": "added" if b is None else "removed" if h is None else "changed",
                "base_monthly_usd": _money(b_cost),
                "head_monthly_usd": _money(h_cost),
                "delta_monthly_usd": _money(delta),
            }
        )
    b_total, h_total = _range(base, "total_monthly_usd"), _range(head, "total_monthly_usd")
    b_mon, h_mon = _range(base, "monitoring_monthly_usd"), _range(head, "monitoring_monthly_usd")
    return {
        "available": True,
        "note": "monthly USD from the cost estimator with the default usage profiles",
        "price_date": head.get("price_date"),
        "tables": tables,
        # Alarms, dashboards, topics: priced per system and stage, not per table.
        "monitoring": {
            "base_monthly_usd": _money(b_mon),
            "head_monthly_usd": _money(h_mon),
            "delta_monthly_usd": _money(_delta(h_mon, b_mon)),
        },
        "total": {
            "base_monthly_usd": _money(b_total),
            "head_monthly_usd": _money(h_total),
            "delta_monthly_usd": _money(_delta(h_total, b_total)),
        },
    }
