"""Text and markdown renderings of an estimate result (the JSON dict). Rounding happens only here."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")


def dollars(value: str | Decimal) -> str:
    amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def amount(entry: dict[str, Any], prefix: str = "monthly_usd") -> str:
    """'$1.23', or '$1.23-$4.56' for an autoscaled range."""
    if prefix in entry:
        return dollars(entry[prefix])
    return f"{dollars(entry[prefix + '_min'])}-{dollars(entry[prefix + '_max'])}"


def _component_text(component: dict[str, Any]) -> str:
    return f"{component['name']} {amount(component)}"


def _header(result: dict[str, Any]) -> str:
    return f"Monthly cost estimate (USD), prices of {result['price_date']} ({result['price_source']})"


def render_table(result: dict[str, Any]) -> str:
    lines = [_header(result), ""]
    tables = result["tables"]
    monitoring = {(m["system"], m["stage"]): m for m in result["monitoring"]}
    for group in result["totals"]:
        system, stage = group["system"], group["stage"]
        rows = [t for t in tables if t["system"] == system and t["stage"] == stage]
        lines.append(f"{system} / {stage}")
        width = max([len(t["table"]) for t in rows] + [len("monitoring")])
        idle = [r["table"] for r in rows if r.get("monthly_usd") is not None and Decimal(r["monthly_usd"]) == 0]
        for row in rows:
            if row["table"] in idle:
                continue
            expected = f" (expected {dollars(row['monthly_usd_expected'])})" if "monthly_usd_expected" in row else ""
            billing = {"provisioned": "provisioned", "on_demand": "on-demand"}.get(row["billing_mode"], "conditional")
            klass = ", Standard-IA" if row["table_class"] != "STANDARD" else ""
            lines.append(
                f"  {row['table']:<{width}}  {amount(row):>17}{expected}  [{billing}{klass}] "
                + ", ".join(_component_text(c) for c in row["components"])
            )
        if idle:
            lines.append(f"  {len(idle)} tables at $0.00 each: {', '.join(idle)}")
        if (system, stage) in monitoring:
            entry = monitoring[(system, stage)]
            lines.append(
                f"  {'monitoring':<{width}}  {amount(entry):>17}  "
                + ", ".join(f"{c['name']} {amount(c)} ({c['detail']})" for c in entry["components"])
            )
        lines.append(f"  {'total':<{width}}  {amount(group):>17}")
        lines.append("")
    for stage in result["stage_totals"]:
        lines.append(f"stage {stage['stage']}: {amount(stage)} per month")
    for free in result["free_tier"]:
        lines.append(
            f"free tier, account-level ({free['stage']}, not subtracted above): {amount(free)}  "
            + ", ".join(f"{c['name']} {amount(c)}" for c in free["components"])
        )
    lines.append(f"monitoring: {amount(result, 'monitoring_monthly_usd')}")
    lines.append(f"total: {amount(result, 'total_monthly_usd')} per month (before the free tier)")
    lines.extend(_skipped_lines(result))
    lines.extend(unpriced_lines(result))
    if result["assumptions"]:
        lines.append("assumptions:")
        lines.extend(f"  - {a}" for a in result["assumptions"])
    return "\n".join(lines)


def unpriced_lines(result: dict[str, Any]) -> list[str]:
    """What the estimate could not price, per table or monitoring group (not in the totals)."""
    entries = result.get("unpriced") or []
    if not entries:
        return []
    lines = ["not priced (left out of the totals above):"]
    for entry in entries:
        where = f"{entry['system']}/{entry['table']}" if entry.get("table") else f"{entry['system']} monitoring"
        lines.append(f"  - {entry['stage']} {where}: {entry['what']} ({entry['reason']})")
    return lines


def _skipped_lines(result: dict[str, Any]) -> list[str]:
    if not result["skipped"]:
        return []
    counts: dict[str, int] = {}
    for entry in result["skipped"]:
        counts[entry["type"]] = counts.get(entry["type"], 0) + 1
    return ["skipped (not priced): " + ", ".join(f"{t} x{n}" for t, n in sorted(counts.items()))]


def render_markdown(result: dict[str, Any], *, top: int = 10) -> str:
    """Short enough for a pull-request comment: totals, the most expensive tables, what was skipped."""
    lines = [
        "### Monthly cost estimate",
        "",
        f"Prices of {result['price_date']} (AWS list prices). "
        f"Total **{amount(result, 'total_monthly_usd')}**/month before the free tier.",
        "",
    ]
    lines += ["| system | stage | tables | monitoring | total |", "|---|---|---:|---:|---:|"]
    monitoring = {(m["system"], m["stage"]): m for m in result["monitoring"]}
    for group in result["totals"]:
        key = (group["system"], group["stage"])
        count = sum(1 for t in result["tables"] if (t["system"], t["stage"]) == key)
        mon = amount(monitoring[key]) if key in monitoring else "-"
        lines.append(f"| {key[0]} | {key[1]} | {count} | {mon} | {amount(group)} |")
    priced = [t for t in result["tables"] if Decimal(t.get("monthly_usd", t.get("monthly_usd_max", "0"))) > 0]
    priced.sort(key=lambda t: Decimal(t.get("monthly_usd", t.get("monthly_usd_max", "0"))), reverse=True)
    if priced:
        lines += [
            "",
            f"<details><summary>Top {min(top, len(priced))} tables</summary>",
            "",
            "| stage | table | monthly | biggest parts |",
            "|---|---|---:|---|",
        ]
        for row in priced[:top]:
            parts = sorted(
                row["components"],
                key=lambda c: Decimal(c.get("monthly_usd", c.get("monthly_usd_max", "0"))),
                reverse=True,
            )
            biggest = ", ".join(_component_text(c) for c in parts[:3])
            lines.append(f"| {row['stage']} | {row['system']}/{row['table']} | {amount(row)} | {biggest} |")
        lines += ["", "</details>"]
    for free in result["free_tier"]:
        lines.append(f"\nFree tier ({free['stage']}, account-level, not subtracted): {amount(free)}")
    skipped = _skipped_lines(result)
    if skipped:
        lines += ["", skipped[0]]
    unpriced = unpriced_lines(result)
    if unpriced:
        lines += ["", *unpriced]
    lines += ["", f"{len(result['assumptions'])} assumptions; run `python -m cost estimate` for details."]
    return "\n".join(lines)
