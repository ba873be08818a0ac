"""Price synthesized templates: DynamoDB tables, monitoring, and an account-level free tier.

All money is Decimal until it is written out; nothing is rounded here.
The formulas are PRICING.md's ("Formulas"); each component says in ``detail``
how it was computed, so a reviewer can redo the arithmetic. Monitoring is priced
in cost.monitoring, the free tier in cost.free_tier, the result built in cost.result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cost.free_tier import free_tier
from cost.model import (
    STANDARD_IA,
    Capacity,
    ReplicaShape,
    TableShape,
    Unpriceable,
    global_table_shape,
    scalable_targets,
    table_shape,
)
from cost.monitoring import (
    MONITORING_TYPES,
    MonitoringGroup,
    budget_names_with_actions,
    count_resource,
    price_monitoring,
)
from cost.prices import PriceBook, RegionPrices
from cost.result import HUNDRED_K, MILLION, ZERO, Component, Cost, Estimate, build_result, money, total, usd
from cost.usage import TABLE_KEYS, ResourceUsage, UsageFile
from tableforge.assembly import GLOBAL_TABLE, TABLE, StackTemplate, tag_value
from tableforge.errors import TableforgeError

DEFAULT_REGION = "us-east-1"

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
        template = json.loads(file.read_text())
    except FileNotFoundError:
        raise TableforgeError("template not found", file=str(file)) from None
    except json.JSONDecodeError as error:
        raise TableforgeError(f"not a JSON CloudFormation template: {error}", file=str(file)) from None
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise TableforgeError("no Resources section", file=str(file))
    name = file.name.removesuffix(".json").removesuffix(".template")
    return StackTemplate(
        display_name=name, stack_name=name, artifact_id=name, stage=None, template_path=file, template=template
    )


@dataclass
class TableRef:
    stack: StackTemplate
    logical_id: str
    resource: dict[str, Any]
    system: str
    table: str
    stage: str
    region: str


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
                estimate.assume(f"Usage entry {name} in {_display(file.path)} matches no resource here; ignored.")


# --- DynamoDB ------------------------------------------------------------------------


def _cap_text(capacity: Capacity) -> str:
    if capacity.min == capacity.max:
        return f"{capacity.min}"
    return f"{capacity.min}-{capacity.max}"


def _capacity_cost(
    capacity: Capacity | None, hour_price: Decimal, hours: Decimal, consumed: Decimal | None
) -> tuple[Cost, Decimal | None]:
    """Capacity x hours x price; with autoscaling a range, and an expected value from consumed units."""
    if capacity is None:
        return Cost.of(ZERO), None
    cost = Cost(capacity.min * hours * hour_price, capacity.max * hours * hour_price)
    expected = None
    if capacity.autoscaled and consumed is not None:
        average = consumed / (hours * 3600)
        target = (capacity.target or Decimal(100)) / 100
        units = min(max(average / target, capacity.min), capacity.max)
        expected = units * hours * hour_price
    return cost, expected


class TablePricer:
    def __init__(self, estimate: Estimate, ref: TableRef, shape: TableShape, usage: ResourceUsage | None) -> None:
        self.estimate = estimate
        self.ref = ref
        self.shape = shape
        self.usage = usage
        self.hours = estimate.book.hours_per_month
        self.components: list[Component] = []
        self.name = f"{ref.system}/{ref.table}"

    def value(self, key: str) -> Decimal:
        return (self.usage.get(key) if self.usage else None) or ZERO

    def primary(self) -> ReplicaShape:
        return next((r for r in self.shape.replicas if r.region == self.ref.region), self.shape.replicas[0])

    def prices(self, region: str) -> RegionPrices:
        return self.estimate.book.region(region)

    @staticmethod
    def prefix(replica: ReplicaShape) -> str:
        return "ia_" if replica.table_class == STANDARD_IA else ""

    def add(self, name: str, cost: Cost, detail: str, expected: Decimal | None = None) -> None:
        self.components.append(Component(name, cost, detail, expected))

    def index_usage(self, index: str) -> dict[str, Decimal] | None:
        return self.usage.indexes.get(index) if self.usage else None

    def check_usage(self) -> None:
        if self.usage is None:
            return
        for key in self.usage.values:
            if key not in TABLE_KEYS:
                raise self.usage.error("not a DynamoDB table usage key", field=key)
        for index in self.usage.indexes:
            if index not in self.shape.indexes:
                known = ", ".join(self.shape.indexes) or "none"
                raise self.usage.error(
                    f"the table has no index '{index}' (its GSIs: {known})", field=f"indexes.{index}"
                )
        if self.value("monthly_streams_read_request_units") and not self.shape.stream:
            raise self.usage.error("the table has no stream", field="monthly_streams_read_request_units")

    def price(self) -> tuple[Cost, Decimal | None]:
        self.check_usage()
        if self.usage is None:
            self.estimate.assume("Tables with no usage entry are priced at zero traffic and zero storage.")
        primary = self.primary()
        p = self.prices(primary.region)
        if primary.table_class == STANDARD_IA:
            self.estimate.assume("Standard-IA prices are unverified (PRICING.md: no official AWS page found).")
        if self.shape.provisioned:
            self.price_provisioned(primary, p)
        else:
            self.price_on_demand(primary, p)
        self.price_storage_and_backups(primary, p)
        for replica in self.shape.replicas:
            if replica is not primary:
                self.price_replica(replica)
        table_cost = total(c.cost for c in self.components)
        expected = None
        if any(c.expected is not None for c in self.components):
            expected = sum((c.expected if c.expected is not None else c.cost.min for c in self.components), ZERO)
        return table_cost, expected

    # on-demand: request units
    def price_on_demand(self, primary: ReplicaShape, p: RegionPrices) -> None:
        pre = self.prefix(primary)
        rru, wru = (
            p.price("dynamodb", f"{pre}read_request_units_per_million"),
            p.price("dynamodb", f"{pre}write_request_units_per_million"),
        )
        reads, writes = self.value("monthly_read_request_units"), self.value("monthly_write_request_units")
        self.add("reads", Cost.of(reads * rru / MILLION), f"{reads} RRU x ${rru}/M")
        self.add("writes", Cost.of(writes * wru / MILLION), f"{writes} WRU x ${wru}/M")
        storage_price = p.price("dynamodb", f"{pre}storage_gb_month")
        for index in self.shape.indexes:
            use = self.index_usage(index)
            if use is None or "monthly_write_request_units" not in use:
                index_writes = writes
                if writes:
                    self.estimate.assume(
                        f"{self.name} index {index}: no write usage given; assumed every base-table write "
                        "also writes the index once (its reads and storage count as zero unless given)."
                    )
            else:
                index_writes = use["monthly_write_request_units"]
            index_reads = (use or {}).get("monthly_read_request_units", ZERO)
            index_gb = (use or {}).get("storage_gb", ZERO)
            cost = index_reads * rru / MILLION + index_writes * wru / MILLION + index_gb * storage_price
            self.add(
                f"gsi {index}",
                Cost.of(cost),
                f"{index_reads} RRU x ${rru}/M + {index_writes} WRU x ${wru}/M + {index_gb} GB x ${storage_price}",
            )

    # provisioned: capacity-hours
    def price_provisioned(self, primary: ReplicaShape, p: RegionPrices) -> None:
        pre = self.prefix(primary)
        rcu, wcu = p.price("dynamodb", f"{pre}rcu_hour"), p.price("dynamodb", f"{pre}wcu_hour")
        storage_price = p.price("dynamodb", f"{pre}storage_gb_month")
        h = self.hours
        reads_used = self.usage.get("monthly_read_request_units") if self.usage else None
        writes_used = self.usage.get("monthly_write_request_units") if self.usage else None
        for label, capacity, price, consumed in (
            ("reads", primary.read, rcu, reads_used),
            ("writes", self.shape.write, wcu, writes_used),
        ):
            cost, expected = _capacity_cost(capacity, price, h, consumed)
            unit = "RCU" if label == "reads" else "WCU"
            text = f"{_cap_text(capacity)} {unit} x {h} h x ${price}" if capacity else f"no {unit} provisioned"
            self.add(label, cost, text, expected)
            if capacity is not None and primary.table_class != STANDARD_IA:
                self.estimate.use_free(self.ref.stage, primary.region, unit, capacity.min)
        for index in self.shape.indexes:
            use = self.index_usage(index) or {}
            read, write = primary.index_reads.get(index), self.shape.index_writes.get(index)
            read_cost, read_expected = _capacity_cost(read, rcu, h, use.get("monthly_read_request_units"))
            write_cost, write_expected = _capacity_cost(write, wcu, h, use.get("monthly_write_request_units"))
            index_gb = use.get("storage_gb", ZERO)
            cost = read_cost + write_cost + Cost.of(index_gb * storage_price)
            expected = None
            if read_expected is not None or write_expected is not None:
                expected = (
                    (read_expected if read_expected is not None else read_cost.min)
                    + (write_expected if write_expected is not None else write_cost.min)
                    + index_gb * storage_price
                )
            read_text = f"{_cap_text(read)} RCU" if read else "0 RCU"
            write_text = f"{_cap_text(write)} WCU" if write else "0 WCU"
            self.add(
                f"gsi {index}",
                cost,
                f"{read_text} x {h} h x ${rcu} + {write_text} x {h} h x ${wcu} + {index_gb} GB x ${storage_price}",
                expected,
            )
            if primary.table_class != STANDARD_IA:
                if read:
                    self.estimate.use_free(self.ref.stage, primary.region, "RCU", read.min)
                if write:
                    self.estimate.use_free(self.ref.stage, primary.region, "WCU", write.min)

    def index_storage_gb(self) -> Decimal:
        return sum(((self.index_usage(i) or {}).get("storage_gb", ZERO) for i in self.shape.indexes), ZERO)

    def price_storage_and_backups(self, primary: ReplicaShape, p: RegionPrices) -> None:
        pre = self.prefix(primary)
        gb = self.value("storage_gb")
        price = p.price("dynamodb", f"{pre}storage_gb_month")
        self.add("storage", Cost.of(gb * price), f"{gb} GB x ${price}")
        if pre == "":
            self.estimate.use_free(self.ref.stage, primary.region, "storage_gb", gb + self.index_storage_gb())
        if primary.pitr:
            pitr_gb = self.usage.get("pitr_backup_storage_gb") if self.usage else None
            pitr_gb = gb if pitr_gb is None else pitr_gb
            pitr = p.price("dynamodb", "pitr_gb_month")
            self.add("pitr", Cost.of(pitr_gb * pitr), f"{pitr_gb} GB x ${pitr}")
        backup_gb = self.value("on_demand_backup_storage_gb")
        if backup_gb:
            price = p.price("dynamodb", "backup_gb_month")
            self.add("backups", Cost.of(backup_gb * price), f"{backup_gb} GB x ${price}")
        restored = self.value("monthly_data_restored_gb")
        if restored:
            price = p.price("dynamodb", "restore_gb")
            self.add("restores", Cost.of(restored * price), f"{restored} GB x ${price}")
        if self.shape.stream:
            stream_reads = self.value("monthly_streams_read_request_units")
            price = p.price("dynamodb", "streams_read_requests_per_100k")
            self.add("streams", Cost.of(stream_reads * price / HUNDRED_K), f"{stream_reads} reads x ${price}/100k")
            self.estimate.use_free(self.ref.stage, primary.region, "stream_reads", stream_reads)
            self.estimate.assume("Stream reads by Lambda triggers are free; give only other readers' requests.")

    def price_replica(self, replica: ReplicaShape) -> None:
        """Another region: replicated writes (table and GSIs), its own read capacity, storage and PITR."""
        p = self.prices(replica.region)
        pre = self.prefix(replica)
        h = self.hours
        parts: list[Cost] = []
        texts: list[str] = []
        if self.shape.provisioned:
            rwcu = p.price("dynamodb", "replicated_wcu_hour")
            rcu = p.price("dynamodb", f"{pre}rcu_hour")
            writes = [self.shape.write] + [self.shape.index_writes.get(i) for i in self.shape.indexes]
            reads = [replica.read] + [replica.index_reads.get(i) for i in self.shape.indexes]
            for capacity in writes:
                parts.append(_capacity_cost(capacity, rwcu, h, None)[0])
            for capacity in reads:
                parts.append(_capacity_cost(capacity, rcu, h, None)[0])
            write_caps = " + ".join(_cap_text(c) for c in writes if c) or "0"
            read_caps = " + ".join(_cap_text(c) for c in reads if c) or "0"
            texts.append(f"({write_caps}) rWCU x {h} h x ${rwcu} + ({read_caps}) RCU x {h} h x ${rcu}")
            for capacity in reads:
                if capacity and pre == "":
                    self.estimate.use_free(self.ref.stage, replica.region, "RCU", capacity.min)
        else:
            rwru = p.price("dynamodb", "replicated_write_request_units_per_million")
            base_writes = self.value("monthly_write_request_units")
            index_writes = ZERO
            for index in self.shape.indexes:
                use = self.index_usage(index) or {}
                index_writes += use.get("monthly_write_request_units", base_writes)
            units = base_writes + index_writes
            parts.append(Cost.of(units * rwru / MILLION))
            texts.append(f"({base_writes} + {index_writes} GSI) rWRU x ${rwru}/M")
        gb = self.value("storage_gb") + self.index_storage_gb()
        storage = p.price("dynamodb", f"{pre}storage_gb_month")
        parts.append(Cost.of(gb * storage))
        texts.append(f"{gb} GB x ${storage}")
        if pre == "":
            self.estimate.use_free(self.ref.stage, replica.region, "storage_gb", gb)
        if replica.pitr:
            pitr_gb = self.usage.get("pitr_backup_storage_gb") if self.usage else None
            pitr_gb = self.value("storage_gb") if pitr_gb is None else pitr_gb
            pitr = p.price("dynamodb", "pitr_gb_month")
            parts.append(Cost.of(pitr_gb * pitr))
            texts.append(f"PITR {pitr_gb} GB x ${pitr}")
        if replica.table_class == STANDARD_IA:
            self.estimate.assume("Standard-IA prices are unverified (PRICING.md: no official AWS page found).")
        self.estimate.assume(
            "Reads are all counted in the table's own region; replicas add replicated writes, storage and PITR."
        )
        self.add(f"replica {replica.region}", total(parts), " + ".join(texts))


#: Table features that cost money but have no price in PRICING.md.
UNPRICED_FEATURES = {
    "ContributorInsightsSpecification": "CloudWatch Contributor Insights",
    "KinesisStreamSpecification": "Kinesis Data Streams for DynamoDB",
}


def _note_unpriced_features(estimate: Estimate, ref: TableRef) -> None:
    props = ref.resource.get("Properties", {})
    specs = [props] + list(props.get("Replicas", []) or [])
    for key, label in UNPRICED_FEATURES.items():
        for spec in specs:
            value = spec.get(key)
            if value and (not isinstance(value, dict) or value.get("Enabled", True)):
                estimate.assume(
                    f"{ref.system}/{ref.table}: {label} is enabled and not priced (no price in the price file)."
                )
                break


def price_table(estimate: Estimate, ref: TableRef, shape: TableShape, usage: ResourceUsage | None) -> None:
    _note_unpriced_features(estimate, ref)
    pricer = TablePricer(estimate, ref, shape, usage)
    cost, expected = pricer.price()
    primary = pricer.primary()
    entry: dict[str, Any] = {
        "logical_id": ref.logical_id,
        "system": ref.system,
        "table": ref.table,
        "stage": ref.stage,
        "stack": ref.stack.display_name,
        "type": ref.resource["Type"],
        "region": primary.region,
        "replica_regions": [r.region for r in shape.replicas if r is not primary],
        "billing_mode": "provisioned" if shape.provisioned else "on_demand",
        "table_class": primary.table_class,
        "pitr": primary.pitr,
        "usage": usage.name if usage else None,
        **money(cost),
    }
    if expected is not None:
        entry["monthly_usd_expected"] = usd(expected)
    entry["components"] = [c.to_json() for c in pricer.components]
    estimate.tables.append(entry)
    estimate.table_costs.append((ref.system, ref.stage, cost))


# --- the whole estimate ---------------------------------------------------------------


def _stage_name(stack: StackTemplate, resource: dict[str, Any] | None = None) -> str:
    tagged = tag_value(resource, "stage") if resource else None
    if tagged:
        return tagged
    return stack.stage.lower() if stack.stage else "-"


def _system_of_stack(stack: StackTemplate, known: set[str]) -> str:
    systems = {tag_value(r, "system") for _, r in stack.tables()} - {None}
    if len(systems) == 1:
        return str(systems.pop())
    # A monitoring stack: "Prod/AuxeiraOps" -> auxeira.
    short = stack.display_name.rsplit("/", 1)[-1].lower()
    for system in sorted(known, key=len, reverse=True):
        if short.startswith(system.replace("-", "")) or short.startswith(system):
            return system
    return "-"


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
    estimate = Estimate(book=book)
    usage = UsageIndex(usage_files)
    wanted = stage.lower() if stage else None
    known_systems = {s for st in stacks for _, r in st.tables() if (s := tag_value(r, "system"))}
    names_present: set[str] = set()
    groups: dict[tuple[str, str], MonitoringGroup] = {}
    regions = {st.display_name: st.region or default_region for st in stacks}
    if not all(st.region for st in stacks):
        estimate.assume(f"Stacks without a concrete region are priced in {default_region}.")

    for stack in stacks:
        region = regions[stack.display_name]
        resources = stack.template.get("Resources", {}) or {}
        scaling = scalable_targets(resources)
        budgets_with_actions = budget_names_with_actions(resources)
        stack_system = _system_of_stack(stack, known_systems)
        for logical_id, resource in resources.items():
            kind = str(resource.get("Type", "?"))
            names_present.add(logical_id)
            stage_name = _stage_name(stack, resource if kind in (GLOBAL_TABLE, TABLE) else None)
            if kind in (GLOBAL_TABLE, TABLE):
                system = tag_value(resource, "system") or stack_system
                table = tag_value(resource, "table") or str(resource.get("Properties", {}).get("TableName", logical_id))
                names_present.add(f"{system}/{table}")
            if wanted and stage_name.lower() != wanted:
                continue
            if kind in (GLOBAL_TABLE, TABLE):
                ref = TableRef(stack, logical_id, resource, system, table, stage_name, region)
                try:
                    if kind == GLOBAL_TABLE:
                        shape = global_table_shape(resource, stack_region=region)
                    else:
                        shape = table_shape(logical_id, resource, stack_region=region, scaling=scaling)
                except Unpriceable as why:
                    estimate.skip(stack.display_name, logical_id, kind, str(why))
                    continue
                price_table(estimate, ref, shape, usage.find(logical_id, f"{system}/{table}"))
                continue
            system = tag_value(resource, "system") or stack_system
            group = groups.setdefault((system, stage_name), MonitoringGroup(system, stage_name))
            props = resource.get("Properties", {}) or {}
            if kind in MONITORING_TYPES:
                count_resource(
                    group, logical_id, resource, find_usage=usage.find, budgets_with_actions=budgets_with_actions
                )
            elif kind == "AWS::SSM::Parameter" and props.get("Tier", "Standard") == "Standard" or kind in NO_CHARGE:
                estimate.no_charge_for(kind)
            else:
                estimate.skip(stack.display_name, logical_id, kind, "no price for this resource type in the price file")
            group.stacks.add(stack.display_name)

    math_alarms = sum(group.math_alarms for group in groups.values())
    if math_alarms:
        estimate.assume(
            f"{math_alarms} alarms use metric math over several metrics; each is priced as one alarm, "
            "as PRICING.md lists alarms per alarm-month (if AWS bills them per metric, they cost more)."
        )
    usage.check_all_matched(names_present, known_systems, estimate, strict=strict_usage)
    if usage_files and known_systems:
        for file in usage_files:
            if file.system is not None and file.system in known_systems:
                estimate.assume(f"Usage profile for {file.system}: {_display(file.path)}.")
    monitoring, monitoring_costs = price_monitoring(groups, book, regions, default_region)
    return build_result(estimate, monitoring, monitoring_costs, free_tier(estimate, groups, default_region))


def _display(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path
