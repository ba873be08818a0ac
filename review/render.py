"""JSON (a stable schema for machines) and Markdown (a pull-request comment)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from review.findings import Finding, Report, SecurityChange

SCHEMA_VERSION = 1
#: GitHub rejects comments over 65,536 characters; stay clearly below.
MARKDOWN_LIMIT = 65_000
_FOOTER_RESERVE = 1_500


def to_json(report: Report) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "base": report.base,
        "head": report.head,
        "stage": report.stage,
        "blocking": bool(report.blocking),
        "exit_code": report.exit_code,
        "summary": _counts(report),
        "destructive": [f.to_json() for f in report.by_level("destructive")],
        "risky": [f.to_json() for f in report.by_level("risky")],
        "safe": [f.to_json() for f in report.by_level("safe")],
        "security": [s.to_json() for s in report.security],
        "cost_delta": report.cost_delta,
        "unused_acknowledgements": report.unused_acknowledgements,
    }


def render_json(report: Report) -> str:
    return json.dumps(to_json(report), indent=2, sort_keys=False) + "\n"


def _counts(report: Report) -> dict[str, int]:
    destructive = report.by_level("destructive")
    return {
        "destructive": len(destructive),
        "blocking": len(report.blocking),
        "acknowledged": sum(f.acknowledged for f in destructive) + sum(s.acknowledged for s in report.security),
        "risky": len(report.by_level("risky")),
        "safe": len(report.by_level("safe")),
        "security": len(report.security),
    }


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _finding_line(f: Finding) -> str:
    table = f" (table `{f.table}`)" if f.table else ""
    flag = ""
    if f.level == "destructive":
        if f.blocking:
            flag = " **BLOCKING**"
        elif f.acknowledged:
            flag = f" _acknowledged: {_cell(f.acknowledgement)}_"
        else:
            flag = " _not blocking: unprotected stage_"
    resource = f" `{f.logical_id}`" if f.logical_id else ""  # a finding about the stack itself has none
    return f"- `{f.stack}`{resource}{table} `{f.change}`{flag}: {_cell(f.reason)}"


def _security_line(s: SecurityChange) -> str:
    wild = " **wildcard**" if s.wildcard else ""
    flag = ""
    if s.opens:
        if s.blocking:
            flag = " **BLOCKING**"
        elif s.acknowledged:
            flag = f" _acknowledged: {_cell(s.acknowledgement)}_"
        else:
            flag = " _not blocking: unprotected stage_"
    return f"- `{s.stack}` role `{s.role}` `{s.change}`{wild}{flag}: {_cell(s.reason)}"


def _usd(value: dict[str, str] | None, signed: bool = False) -> str:
    if value is None:
        return "-"

    def one(amount: str) -> str:
        number = Decimal(amount).quantize(Decimal("0.01"))
        sign = ("+" if number >= 0 else "-") if signed else ("-" if number < 0 else "")
        return f"{sign}${abs(number):,.2f}"

    low, high = one(value["min"]), one(value["max"])
    return low if low == high else f"{low} to {high}"


def _cost_lines(delta: dict[str, Any]) -> list[str]:
    if not delta.get("available"):
        return [f"_{delta.get('note', 'cost estimator unavailable')}_"]
    total = delta["total"]
    lines = [
        f"Total: {_usd(total['base_monthly_usd'])} -> {_usd(total['head_monthly_usd'])} per month "
        f"(**{_usd(total['delta_monthly_usd'], signed=True)}**); {delta.get('note', '')}"
        + (f", prices of {delta['price_date']}" if delta.get("price_date") else "")
        + ".",
    ]
    if delta["tables"]:
        lines += [
            "",
            "| stack | table | change | base / month | head / month | delta / month |",
            "|---|---|---|---|---|---|",
        ]
        for t in delta["tables"]:
            lines.append(
                f"| {_cell(t.get('stack'))} | {_cell(t.get('table') or t.get('logical_id'))} | {t['change']} | "
                f"{_usd(t['base_monthly_usd'])} | {_usd(t['head_monthly_usd'])} | "
                f"{_usd(t['delta_monthly_usd'], signed=True)} |"
            )
    else:
        lines.append("No table's estimate changes.")
    monitoring = delta.get("monitoring") or {}
    change = monitoring.get("delta_monthly_usd")
    if change and (Decimal(change["min"]) or Decimal(change["max"])):
        lines += [
            "",
            f"Monitoring (alarms, dashboards, topics): {_usd(monitoring['base_monthly_usd'])} -> "
            f"{_usd(monitoring['head_monthly_usd'])} ({_usd(change, signed=True)}).",
        ]
    return lines


#: More safe changes than this of one kind in one stack are shown as one line.
_GROUP_OVER = 3


def _safe_lines(findings: list[Finding]) -> list[str]:
    """Table changes one per line; other resources grouped per stack, change and type."""
    lines: list[str] = []
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        if f.table is not None:
            lines.append(_finding_line(f))
        else:
            groups.setdefault((f.stack, f.change, f.resource_type), []).append(f)
    for (stack, change, kind), members in groups.items():
        if len(members) <= _GROUP_OVER:
            lines += [_finding_line(f) for f in members]
            continue
        sample = ", ".join(f"`{f.logical_id}`" for f in members[:_GROUP_OVER])
        lines.append(f"- `{stack}` {len(members)} x {kind} `{change}`: {sample} and {len(members) - _GROUP_OVER} more")
    return lines


def render_markdown(report: Report, limit: int = MARKDOWN_LIMIT) -> str:
    counts = _counts(report)
    if report.blocking:
        kinds = []
        if any(isinstance(b, Finding) for b in report.blocking):
            kinds.append("destructive change(s)")
        if any(isinstance(b, SecurityChange) for b in report.blocking):
            kinds.append("security change(s) granting wildcards or trust beyond the account")
        verdict = (
            f"**Blocked:** {counts['blocking']} {' and '.join(kinds)} reach a protected stage. "
            "Acknowledge them in `review/acknowledged.yaml` (stack, logical_id, reason) if intended."
        )
    elif counts["destructive"] or any(s.opens for s in report.security):
        verdict = (
            "**Passes:** destructive changes, wildcards and open trust are acknowledged or on unprotected stages only."
        )
    else:
        verdict = "**Passes:** no destructive change."
    scope = f" (stage {report.stage})" if report.stage else ""
    head = [
        f"## tableforge review{scope}",
        "",
        verdict,
        "",
        "| destructive | blocking | risky | safe | security |",
        "|---|---|---|---|---|",
        f"| {counts['destructive']} | {counts['blocking']} | {counts['risky']} | {counts['safe']} | "
        f"{counts['security']} |",
    ]
    # Sections in priority order: what is cut first is what matters least.
    sections: list[tuple[str, str, list[str]]] = [
        ("destructive", "### Destructive: data is lost", [_finding_line(f) for f in report.by_level("destructive")]),
        (
            "risky",
            "### Risky: the table survives, a safeguard or limit changes",
            [_finding_line(f) for f in report.by_level("risky")],
        ),
        ("security", "### Security: IAM statements per role", [_security_line(s) for s in report.security]),
        ("cost", "### Cost: monthly delta", _cost_lines(report.cost_delta)),
        ("safe", "### Safe", _safe_lines(report.by_level("safe"))),
    ]
    if report.unused_acknowledgements:
        sections.append(
            (
                "acknowledgements",
                "### Unused acknowledgements (remove once shipped)",
                [f"- `{a['stack']}` `{a['logical_id']}`: {_cell(a['reason'])}" for a in report.unused_acknowledgements],
            )
        )
    out = "\n".join(head)
    budget = limit - _FOOTER_RESERVE
    left_out: dict[str, int] = {}
    for key, title, lines in sections:
        if left_out:
            left_out[key] = left_out.get(key, 0) + (len(lines) if key != "cost" else 1)
            continue
        block = f"\n\n{title}\n\n" + ("\n".join(lines) if lines else "None.")
        if len(out) + len(block) <= budget:
            out += block
            continue
        out += f"\n\n{title}\n"
        for index, line in enumerate(lines):
            if len(out) + len(line) + 1 > budget:
                left_out[key] = len(lines) - index if key != "cost" else 1
                break
            out += "\n" + line
    if left_out:
        shown = ", ".join(f"{n} {k} line(s)" for k, n in left_out.items() if n)
        out += (
            f"\n\n---\n**Truncated** to fit a comment: not shown {shown}. The totals above count everything; "
            "run `python -m review diff --format json` (or see the CI job log) for the full report."
        )
    return out + "\n"
