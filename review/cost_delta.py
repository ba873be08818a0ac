"""The cost section: monthly delta per table and in total, from the cost estimator, and the budgets.

The estimator (``cost.api.estimate_assembly``) prices each assembly with the
default usage profiles; this module only subtracts. A missing estimator or one
that fails on an assembly leaves the section empty with a note, never the review.
Each system and stage's estimate is set against its synthesized budget (the
head's ``AWS::Budgets::Budget``): a change that pushes a lower bound over its
budget says so in the section's note, as does what could not be priced.
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
        budgets, base_budgets = _budgets(head_dir), _budgets(base_dir)
    except Exception as exc:
        return unavailable(f"cost estimator failed: {type(exc).__name__}: {exc}")
    return compare_estimates(base, head, budgets=budgets, base_budgets=base_budgets)


def _budgets(assembly: Path) -> dict[tuple[str, str], Decimal]:
    """(system, stage) -> the assembly's synthesized monthly budget (what deploys from it)."""
    from cost.budgets import read_budgets
    from tableforge.assembly import read_assembly

    return read_budgets(read_assembly(assembly))


def _not_priced(result: dict[str, Any]) -> set[tuple[str, str]]:
    """(stack, logical ID) of the tables an estimate skipped or could not price."""
    entries = [*result.get("skipped", []), *result.get("unpriced", [])]
    return {(str(e.get("stack")), str(e.get("logical_id"))) for e in entries if e.get("what", "table") == "table"}


def compare_estimates(
    base: dict[str, Any],
    head: dict[str, Any],
    *,
    budgets: dict[tuple[str, str], Decimal] | None = None,
    base_budgets: dict[tuple[str, str], Decimal] | None = None,
) -> dict[str, Any]:
    """The delta per table, for monitoring and in total; and each system and stage against its
    budget (``budgets``: the head's; ``base_budgets``: the base's, the head's when not given)."""
    before = {_key(e): e for e in base.get("tables", [])}
    after = {_key(e): e for e in head.get("tables", [])}
    unpriced_in_head = _not_priced(head)
    tables = []
    for key in sorted(set(before) | set(after)):
        b, h = before.get(key), after.get(key)
        b_cost = _range(b, "monthly_usd") if b else None
        h_cost = _range(h, "monthly_usd") if h else None
        delta = _delta(h_cost, b_cost)
        if b is not None and h is not None and abs(delta[0]) < _CENT and abs(delta[1]) < _CENT:
            continue
        entry = h or b or {}
        change = "added" if b is None else "removed" if h is None else "changed"
        if h is None and (str(entry.get("stack")), str(entry.get("logical_id"))) in unpriced_in_head:
            change = "unpriced"  # still there, but the head's estimate could not price it
        tables.append(
            {
                "stack": entry.get("stack"),
                "logical_id": entry.get("logical_id"),
                "table": entry.get("table"),
                "system": entry.get("system"),
                "stage": entry.get("stage"),
                "change": change,
                "base_monthly_usd": _money(b_cost),
                "head_monthly_usd": _money(h_cost),
                "delta_monthly_usd": _money(delta),
            }
        )
    b_total, h_total = _range(base, "total_monthly_usd"), _range(head, "total_monthly_usd")
    b_mon, h_mon = _range(base, "monitoring_monthly_usd"), _range(head, "monitoring_monthly_usd")
    head_budgets = budgets or {}
    checked = _budget_changes(base, head, head_budgets, head_budgets if base_budgets is None else base_budgets)
    notes = ["monthly USD from the cost estimator with the default usage profiles", *_budget_notes(checked)]
    unpriced = [u for u in head.get("unpriced", []) if u not in base.get("unpriced", [])]
    if unpriced:
        notes.append(
            "not priced in the head (left out of its totals): "
            + "; ".join(f"{u['stage']} {u['system']}/{u.get('table') or 'monitoring'} {u['what']}" for u in unpriced)
        )
    return {
        "available": True,
        "note": "; ".join(notes),
        "budgets": checked,
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


def _budget_changes(
    base: dict[str, Any],
    head: dict[str, Any],
    budgets: dict[tuple[str, str], Decimal],
    base_budgets: dict[tuple[str, str], Decimal],
) -> list[dict[str, Any]]:
    """Each system and stage's estimate before and after, each against its own side's budget
    (a change may lower a budget as well as raise a cost).

    ``change``: ``pushed-over`` (the lower bound was within, now over), ``still-over``,
    ``back-within``, ``over-at-max`` (the lower bound fits, the upper does not) or ``within``.
    """
    before = {(t["system"], t["stage"]): _range(t, "monthly_usd") for t in base.get("totals", [])}
    out = []
    for group in head.get("totals", []):
        key = (group["system"], group["stage"])
        if key not in budgets:
            continue
        budget, was = budgets[key], before.get(key)
        now = _range(group, "monthly_usd") or (_ZERO, _ZERO)
        was_budget = base_budgets.get(key, budget)
        over, was_over = now[0] > budget, was is not None and was[0] > was_budget
        change = (
            ("still-over" if was_over else "pushed-over")
            if over
            else "back-within"
            if was_over
            else "over-at-max"
            if now[1] > budget
            else "within"
        )
        out.append(
            {
                "system": key[0],
                "stage": key[1],
                "budget_usd": f"{budget:.4f}",
                "base_monthly_usd": _money(was),
                "head_monthly_usd": _money(now),
                "change": change,
            }
        )
    return out


def _usd_range(value: dict[str, str] | None) -> str:
    if value is None:
        return "nothing"
    low, high = (f"${Decimal(value[k]):,.2f}" for k in ("min", "max"))
    return low if low == high else f"{low}-{high}"


def _budget_notes(checked: list[dict[str, Any]]) -> list[str]:
    """What the section's note says about budgets: every push over, then what stays over or comes back."""
    notes = [
        f"**OVER BUDGET** after this change: {c['system']}/{c['stage']} (budget ${Decimal(c['budget_usd']):,.2f}, "
        f"estimate {_usd_range(c['base_monthly_usd'])} -> {_usd_range(c['head_monthly_usd'])})"
        for c in checked
        if c["change"] == "pushed-over"
    ]
    for change, text in (("back-within", "back within budget"), ("still-over", "already over budget")):
        names = [f"{c['system']}/{c['stage']}" for c in checked if c["change"] == change]
        if names:
            notes.append(f"{text}: {', '.join(names)}")
    return notes
