"""Tables whose settings depend on a template condition (``Fn::If``): priced as a range over the branches.

A ``BillingMode`` of ``{"Fn::If": ["IsProd", "PROVISIONED", "PAY_PER_REQUEST"]}``
is either on-demand or provisioned, decided at deploy. The estimate prices the
table once per combination of the conditions it uses (each ``Fn::If`` resolved
to one branch, ``AWS::NoValue`` dropped), reads every variant through the read
model, and reports the cheapest variant's minimum to the dearest one's maximum.
A variant that still cannot be priced makes the whole table unpriced, with the
reason: it is never priced at $0.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cost.autoscaling import target_tracking_policies
from cost.dynamodb import TableRef, Unpriceable, price_table, priced_table
from cost.result import Cost, Estimate, money
from cost.usage import ResourceUsage
from tableforge.model import SCALABLE_TARGET, SCALING_POLICY, TableModel, read_tables

#: Conditions per table priced as branches (2^4 = 16 variants at most); more is unpriced.
MAX_CONDITIONS = 4
_NO_VALUE = {"Ref": "AWS::NoValue"}


def _branches(node: Any) -> list[Any] | None:
    """``[condition, if_true, if_false]`` of an ``Fn::If``, or None for anything else."""
    if isinstance(node, dict) and len(node) == 1:
        args = node.get("Fn::If")
        if isinstance(args, list) and len(args) == 3 and isinstance(args[0], str):
            return args
    return None


def condition_names(value: Any) -> list[str]:
    """The condition names of every ``Fn::If`` inside ``value``, in first-seen order."""
    found: list[str] = []

    def walk(node: Any) -> None:
        args = _branches(node)
        if args is not None and args[0] not in found:
            found.append(args[0])
        if isinstance(node, dict):
            for sub in node.values():
                walk(sub)
        elif isinstance(node, list):
            for sub in node:
                walk(sub)

    walk(value)
    return found


def resolve(value: Any, choices: dict[str, bool]) -> Any:
    """``value`` with each ``Fn::If`` on a chosen condition replaced by its branch, ``AWS::NoValue`` dropped."""
    args = _branches(value)
    if args is not None and args[0] in choices:
        return resolve(args[1] if choices[args[0]] else args[2], choices)
    if isinstance(value, dict):
        out = {k: resolve(v, choices) for k, v in value.items()}
        return {k: v for k, v in out.items() if v != _NO_VALUE}
    if isinstance(value, list):
        return [item for item in (resolve(v, choices) for v in value) if item != _NO_VALUE]
    return value


@dataclass(frozen=True)
class Variant:
    """One combination of condition values and the table it gives."""

    choices: dict[str, bool]
    table: TableModel

    @property
    def label(self) -> str:
        return ", ".join(f"{name}={'true' if value else 'false'}" for name, value in self.choices.items())


def variants(logical_id: str, resources: dict[str, dict[str, Any]]) -> Iterator[Variant]:
    """The table ``logical_id`` under every combination of its conditions (with its scaling resources)."""
    scaling = {k: r for k, r in resources.items() if r.get("Type") in (SCALABLE_TARGET, SCALING_POLICY)}
    names = condition_names([resources[logical_id], list(scaling.values())])
    for values in itertools.product((True, False), repeat=len(names)):
        choices = dict(zip(names, values, strict=True))
        template = {
            "Resources": {k: resolve(r, choices) for k, r in {logical_id: resources[logical_id], **scaling}.items()}
        }
        [table] = [t for t in read_tables(template) if t.logical_id == logical_id]
        yield Variant(choices, table)


def merge_free_use(
    uses: list[dict[tuple[str, str], dict[str, Decimal]]],
) -> dict[tuple[str, str], dict[str, Decimal]]:
    """Free-tier use every variant has for sure: the least of them, per stage, region and item."""
    merged: dict[tuple[str, str], dict[str, Decimal]] = {}
    for key in set().union(*uses):
        items = set().union(*(use.get(key, {}) for use in uses))
        merged[key] = {item: min(use.get(key, {}).get(item, Decimal(0)) for use in uses) for item in items}
    return merged


@dataclass
class Priced:
    """The variants of one table, priced: what goes into the estimate."""

    entry: dict[str, Any]
    cost: Cost
    #: The target-tracking policies every variant has, and how many more the dearest variant has.
    policies: list[str]
    extra_policies: int


def price_variants(
    estimate: Estimate,
    found: list[Variant],
    *,
    ref_of: Callable[[TableModel], TableRef],
    stack_region: str,
    usage: ResourceUsage | None,
) -> Priced:
    """Price each variant on its own; raise Unpriceable (naming the branch) or MissingPrice if one cannot be."""
    priced: list[tuple[Variant, Estimate]] = []
    for variant in found:
        try:
            table = priced_table(variant.table, stack_region=stack_region)
        except Unpriceable as why:
            raise Unpriceable(f"with {variant.label}: {why}") from None
        scratch = Estimate(book=estimate.book)
        price_table(scratch, ref_of(variant.table), table, usage)
        priced.append((variant, scratch))
    for _, scratch in priced:
        for text in scratch.assumptions:
            estimate.assume(text)
        estimate.unpriced += [u for u in scratch.unpriced if u not in estimate.unpriced]
    for (stage, region), items in merge_free_use([s.free_use for _, s in priced]).items():
        for item, amount in items.items():
            estimate.use_free(stage, region, item, amount)
    policies = [target_tracking_policies(v.table) for v, _ in priced]
    fewest = min(policies, key=len)
    return Priced(_merged_entry(priced), _span(priced), fewest, max(map(len, policies)) - len(fewest))


def _span(priced: list[tuple[Variant, Estimate]]) -> Cost:
    costs = [s.table_costs[0][2] for _, s in priced]
    return Cost(min(c.min for c in costs), max(c.max for c in costs))


def _merged_entry(priced: list[tuple[Variant, Estimate]]) -> dict[str, Any]:
    entries = [(v, s.tables[0], s.table_costs[0][2]) for v, s in priced]
    modes = {e["billing_mode"] for _, e, _ in entries}
    entry = {k: v for k, v in entries[0][1].items() if not k.startswith("monthly_usd") and k != "components"}
    entry["billing_mode"] = modes.pop() if len(modes) == 1 else "conditional"
    entry.update(money(_span(priced)))
    entry["branches"] = [
        {"conditions": v.choices, "billing_mode": e["billing_mode"], **money(cost)} for v, e, cost in entries
    ]
    entry["components"] = [{**c, "name": f"[{v.label}] {c['name']}"} for v, e, _ in entries for c in e["components"]]
    return entry
