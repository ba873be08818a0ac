"""Price synthesized templates: DynamoDB tables, monitoring, and an account-level free tier.

This module walks the stacks and hands each resource to its pricer: tables to
:mod:`cost.dynamodb` (through the read model, :mod:`tableforge.model`),
alarms, dashboards, topics and budgets to :mod:`cost.monitoring`; then adds
:mod:`cost.free_tier` and builds the result (:mod:`cost.result`). The formulas
are PRICING.md's ("Formulas"); each component says in ``detail`` how it was
computed, so a reviewer can redo the arithmetic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cost.autoscaling import ALARMS_PER_POLICY, target_tracking_policies
from cost.conditions import MAX_CONDITIONS, condition_names, price_variants, variants
from cost.dynamodb import TableRef, Unpriceable, price_table, priced_table
from cost.free_tier import free_tier
from cost.monitoring import (
    MONITORING_TYPES,
    MonitoringGroup,
    budget_names_with_actions,
    count_resource,
    price_monitoring,
)
from cost.prices import MissingPrice, PriceBook
from cost.result import Component, Cost, Estimate, build_result, money, total, usd
from cost.text import read_utf8
from cost.usage import ResourceUsage, UsageFile
from tableforge.assembly import StackTemplate
from tableforge.errors import TableforgeError, display_path
from tableforge.model import TableModel

__all__ = [
    "DEFAULT_REGION",
    "NO_CHARGE",
    "Component",
    "Cost",
    "Unpriceable",
    "estimate_stacks",
    "money",
    "template_stack",
    "total",
    "usd",
]

DEFAULT_REGION = "us-east-1"
AWS_MANAGED_KEY = (
    "Tables encrypted with the AWS managed key (aws/dynamodb) pay no key fee; its requests are KMS-billed "
    "and not priced here."
)

#: Types that cost nothing by themselves (or are billed through another resource we price).
NO_CHARGE = {
    "AWS::CDK::Metadata",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::KMS::Alias",
    "AWS::SNS::Subscription",
    "AWS::SNS::TopicPolicy",
    "AWS::Budgets::BudgetsAction",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
}


# --- inputs ----------------------------------------------------------------------


def template_stack(path: Path | str) -> StackTemplate:
    """A lone template file (``--template``), as a stack with no stage."""
    file = Path(path)
    try:
        template = json.loads(read_utf8(file, str(file), what="template"))
    except json.JSONDecodeError as error:
        raise TableforgeError(f"not a JSON CloudFormation template: {error}", file=str(file)) from None
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise TableforgeError("no Resources section", file=str(file))
    name = file.name.removesuffix(".json").removesuffix(".template")
    return StackTemplate(
        display_name=name, stack_name=name, artifact_id=name, stage=None, template_path=file, template=template
    )


# --- usage matching ----------------------------------------------------------------


class UsageIndex:
    """Finds the usage entry of a resource: by logical ID or by ``system/table``; later files win."""

    def __init__(self, files: list[UsageFile]) -> None:
        self.files = files
        self.matched: set[tuple[str, str]] = set()

    def find(self, *names: str) -> ResourceUsage | None:
        found = None
        for file in self.files:
            for name in names:
                entry = file.entries.get(name)
                if entry is not None:
                    self.matched.add((file.path, name))
                    found = entry
        return found

    def check_all_matched(
        self, names_present: set[str], systems_present: set[str], estimate: Estimate, *, strict: bool
    ) -> None:
        for file in self.files:
            # A default profile applies only when its system is in the estimate at all.
            if file.system is not None and file.system not in systems_present:
                continue
            for name in file.entries:
                if name in names_present:
                    continue
                if strict:
                    raise TableforgeError(
                        "matches no resource in the templates (use a table's logical ID or system/table)",
                        file=file.path,
                        item=name,
                    )
                estimate.assume(f"Usage entry {name} in {display_path(file.path)} matches no resource here; ignored.")


# --- stacks and their tables ----------------------------------------------------------


@dataclass
class StackView:
    """One stack as the estimate sees it: its tables, and the system, stage and region it is priced under."""

    stack: StackTemplate
    region: str
    tables: dict[str, TableModel]
    system: str
    stage: str

    @staticmethod
    def of(stack: StackTemplate, region: str) -> StackView:
        tables = {t.logical_id: t for t in stack.table_models()}
        return StackView(stack, region, tables, _stack_system(stack, tables), _stack_stage(stack, tables))

    def table_ref(self, table: TableModel) -> TableRef:
        """The table's own ``system``/``stage``/``table`` tags; the stack's system and stage when untagged."""
        name = table.catalog_table or (str(table.table_name) if table.table_name is not None else table.logical_id)
        return TableRef(self.stack, table, table.system or self.system, name, table.stage or self.stage, self.region)


def _only(values: set[str | None]) -> str:
    found = values - {None}
    return str(found.pop()) if len(found) == 1 else "-"


def _stack_system(stack: StackTemplate, tables: dict[str, TableModel]) -> str:
    """The system the app wrote into the stack's ``tableforge:stack`` metadata at synth.

    Fallback for a template without it (one ``--template`` file, a foreign template):
    the one system its tables are tagged with, else ``-``.
    """
    return stack.system or _only({t.system for t in tables.values()})


def _stack_stage(stack: StackTemplate, tables: dict[str, TableModel]) -> str:
    """The stage from the stack's ``tableforge:stack`` metadata (``prod``).

    Fallback for a template without it: the one stage its tables are tagged with, else ``-``.
    """
    return stack.stage_name or _only({t.stage for t in tables.values()})


# --- the whole estimate ---------------------------------------------------------------


@dataclass
class _Run:
    """One estimate in progress."""

    estimate: Estimate
    usage: UsageIndex
    wanted: str | None
    names_present: set[str] = field(default_factory=set)
    groups: dict[tuple[str, str], MonitoringGroup] = field(default_factory=dict)

    def stack(self, view: StackView) -> None:
        resources = view.stack.template.get("Resources", {}) or {}
        budgets_with_actions = budget_names_with_actions(resources)
        for logical_id, resource in resources.items():
            self.names_present.add(logical_id)
            table = view.tables.get(logical_id)
            if table is not None:
                self.table(view, table)
            elif not self.wanted or view.stage.lower() == self.wanted:
                self.other(view, logical_id, resource, budgets_with_actions)

    def group(self, system: str, stage: str) -> MonitoringGroup:
        return self.groups.setdefault((system, stage), MonitoringGroup(system, stage))

    def table(self, view: StackView, table: TableModel) -> None:
        ref = view.table_ref(table)
        self.names_present.add(f"{ref.system}/{ref.table}")
        if self.wanted and ref.stage.lower() != self.wanted:
            return
        usage = self.usage.find(table.logical_id, f"{ref.system}/{ref.table}")
        try:
            policies, extra = self.price(view, table, ref, usage)
        except Unpriceable as why:
            self.estimate.skip(view.stack.display_name, table.logical_id, table.type, str(why))
            return
        except MissingPrice as missing:
            # Its own region has no prices: name it, price the rest of the estimate.
            self.estimate.not_priced(
                view.stack.display_name,
                table.logical_id,
                ref.system,
                ref.table,
                ref.stage,
                what="table",
                region=missing.region,
                reason=missing.detail,
            )
            return
        # Application Auto Scaling's alarms for this table's target-tracking policies (not in any template).
        if policies or extra:
            group = self.group(ref.system, ref.stage)
            group.stacks.add(view.stack.display_name)
            group.scaling_policies += [f"{ref.table} {p}" for p in policies]
            group.conditional_policies += extra
        if table.sse.kind == "kms" and table.sse.kms_key is None:
            self.estimate.assume(AWS_MANAGED_KEY)

    def price(
        self, view: StackView, table: TableModel, ref: TableRef, usage: ResourceUsage | None
    ) -> tuple[list[str], int]:
        """Price one table into the estimate; its target-tracking policies (and how many only some branches have)."""
        resources = view.stack.template.get("Resources") or {}
        names = condition_names(table.resource)
        if not names:
            price_table(self.estimate, ref, priced_table(table, stack_region=view.region), usage)
            return target_tracking_policies(table), 0
        if len(names) > MAX_CONDITIONS:
            raise Unpriceable(f"{len(names)} conditions ({', '.join(names)}); at most {MAX_CONDITIONS} are priced")
        found = list(variants(table.logical_id, resources))
        priced = price_variants(self.estimate, found, ref_of=view.table_ref, stack_region=view.region, usage=usage)
        self.estimate.tables.append(priced.entry)
        self.estimate.table_costs.append((ref.system, ref.stage, priced.cost))
        self.estimate.assume(
            f"{ref.system}/{ref.table} depends on template conditions ({', '.join(names)}): priced as the range "
            "over every branch."
        )
        return priced.policies, priced.extra_policies

    def unpriced_group(self, group: MonitoringGroup, region: str, reason: str) -> None:
        """A system and stage's monitoring in a region without prices: named, not priced."""
        stack = min(group.stacks, default="-")
        self.estimate.not_priced(
            stack, None, group.system, None, group.stage, what="monitoring", region=region, reason=reason
        )

    def other(self, view: StackView, logical_id: str, resource: dict[str, Any], budgets_with_actions: set[str]) -> None:
        kind = str(resource.get("Type", "?"))
        # Everything but a table is priced under its stack's system and stage.
        group = self.group(view.system, view.stage)
        props = resource.get("Properties", {}) or {}
        if kind in MONITORING_TYPES:
            count_resource(
                group, logical_id, resource, find_usage=self.usage.find, budgets_with_actions=budgets_with_actions
            )
        elif kind == "AWS::SSM::Parameter" and props.get("Tier", "Standard") == "Standard" or kind in NO_CHARGE:
            self.estimate.no_charge_for(kind)
        else:
            self.estimate.skip(
                view.stack.display_name, logical_id, kind, "no price for this resource type in the price file"
            )
        group.stacks.add(view.stack.display_name)


def estimate_stacks(
    stacks: list[StackTemplate],
    *,
    book: PriceBook,
    usage_files: list[UsageFile],
    stage: str | None = None,
    default_region: str = DEFAULT_REGION,
    strict_usage: bool = True,
) -> dict[str, Any]:
    """Price every stack (optionally one stage) and return the JSON-shaped result.

    With ``strict_usage`` False, usage entries naming no resource are listed as
    assumptions instead of raising (for pricing an older assembly, e.g. a diff's base).
    """
    # Stacks without a region are priced in default_region: without its prices nothing can be priced.
    book.region(default_region)
    run = _Run(Estimate(book=book), UsageIndex(usage_files), stage.lower() if stage else None)
    regions = {st.display_name: st.region or default_region for st in stacks}
    if not all(st.region for st in stacks):
        run.estimate.assume(f"Stacks without a concrete region are priced in {default_region}.")
    views = [StackView.of(st, regions[st.display_name]) for st in stacks]
    for view in views:
        run.stack(view)
    known_systems = {ref.system for v in views for t in v.tables.values() if (ref := v.table_ref(t)).system != "-"}
    _assume_across(run, known_systems, usage_files, strict_usage)
    monitoring, monitoring_costs = price_monitoring(
        run.groups, book, regions, default_region, unpriced=run.unpriced_group
    )
    return build_result(run.estimate, monitoring, monitoring_costs, free_tier(run.estimate, run.groups, default_region))


def _assume_across(run: _Run, known_systems: set[str], usage_files: list[UsageFile], strict_usage: bool) -> None:
    """The assumptions about the whole estimate: alarm counts, unmatched usage, the profiles used."""
    groups = run.groups.values()
    policies = sum(len(g.scaling_policies) for g in groups)
    if policies:
        low, high = ALARMS_PER_POLICY
        run.estimate.assume(
            f"{policies} target-tracking scaling policies: Application Auto Scaling creates {low}-{high} CloudWatch "
            f"alarms for each, outside the templates ({low}: the DynamoDB Developer Guide, 'Using the AWS CLI to "
            f"manage DynamoDB auto scaling'; {high}: what DescribeScalingPolicies lists for DynamoDB: AlarmHigh, "
            "AlarmLow, ProvisionedCapacityHigh, ProvisionedCapacityLow)."
        )
    uncertain = sorted(a for g in groups for a in g.uncertain_alarms)
    if uncertain:
        run.estimate.assume(
            f"{len(uncertain)} alarms query Metrics Insights ({', '.join(uncertain[:3])}...): each is priced as one "
            "alarm metric, but CloudWatch bills every metric the query reads."
        )
    unread = sorted(d for g in groups for d in g.unread_dashboards)
    if unread:
        run.estimate.assume(
            f"Dashboards whose body could not be read ({', '.join(unread)}) are not counted in the free tier."
        )
    if any(g.n("kms_key") and not g.key_requests for g in groups):
        run.estimate.assume(
            "KMS requests are priced only where a usage entry gives a key's monthly_requests "
            "($0.03 per 10,000 after 20,000 free a month)."
        )
    run.usage.check_all_matched(run.names_present, known_systems, run.estimate, strict=strict_usage)
    if usage_files and known_systems:
        for file in usage_files:
            if file.system is not None and file.system in known_systems:
                run.estimate.assume(f"Usage profile for {file.system}: {display_path(file.path)}.")
