"""Price one DynamoDB table, read through the read model (tableforge.model), with PRICING.md's formulas.

On-demand tables pay per request unit, provisioned ones per capacity-hour (a
min-max range when autoscaled, and an expected value when usage gives the
consumed units); both pay storage, PITR, backups, restores and stream reads, and
every replica outside the table's own region pays replicated writes, its own
read capacity, storage and PITR. Each component's ``detail`` shows the arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cost.prices import MissingPrice, RegionPrices
from cost.result import HUNDRED_K, MILLION, ZERO, Component, Cost, Estimate, money, total, usd
from cost.usage import TABLE_KEYS, ResourceUsage
from tableforge.assembly import StackTemplate
from tableforge.model import STANDARD, STANDARD_IA, Capacity, Intrinsic, Number, Replica, TableModel

#: Table features that cost money but have no price in PRICING.md: (replica flag, label).
UNPRICED_FEATURES = (
    ("contributor_insights", "CloudWatch Contributor Insights"),
    ("kinesis_stream", "Kinesis Data Streams for DynamoDB"),
)
IA_UNVERIFIED = "Standard-IA prices are unverified (PRICING.md: no official AWS page found)."


class Unpriceable(Exception):
    """The template holds something we cannot price (an intrinsic where a number should be)."""


# --- what pricing needs: literal capacities ---------------------------------------------


@dataclass(frozen=True)
class Units:
    """Provisioned capacity in literal numbers: fixed (min == max) or autoscaled between min and max."""

    min: Decimal
    max: Decimal
    #: Target utilization in percent, when autoscaled.
    target: Decimal | None = None

    @property
    def autoscaled(self) -> bool:
        return self.min != self.max or self.target is not None

    def __str__(self) -> str:
        return f"{self.min}" if self.min == self.max else f"{self.min}-{self.max}"


def _literal(value: Number | None, what: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    raw = value.value if isinstance(value, Intrinsic) else value
    if isinstance(raw, str):
        raise Unpriceable(f"{what} is not a number ({raw!r})")
    raise Unpriceable(f"{what} is not a literal number ({raw!r})")


def units(capacity: Capacity | None, what: str, scaled_what: str | None = None) -> Units | None:
    """``capacity`` in literal numbers, None when nothing is provisioned; else Unpriceable naming ``what``.

    A fixed capacity is named ``what``; an autoscaled one's bounds ``<scaled_what> MinCapacity`` etc.
    """
    if capacity is None:
        return None
    if capacity.min == capacity.max and capacity.target is None:
        fixed = _literal(capacity.min, what)
        return Units(fixed, fixed)
    scaled = scaled_what or what
    target = None if capacity.target is None else _literal(capacity.target, f"{scaled} TargetValue")
    return Units(
        _literal(capacity.min, f"{scaled} MinCapacity"), _literal(capacity.max, f"{scaled} MaxCapacity"), target
    )


def _units_of(table: TableModel, capacity: Capacity | None, index: str | None, kind: str) -> Units | None:
    """Literal ``kind`` ("read"/"write") capacity of the table or one of its indexes, named as the template does."""
    if table.is_global_table:
        what = f"{index} {kind}" if index else ("replica read capacity" if kind == "read" else "write capacity")
        return units(capacity, what)
    # A classic Table: ProvisionedThroughput, or a ScalableTarget (and its ScalingPolicy) when autoscaled.
    prefix = f"{index} " if index else ""
    return units(capacity, f"{prefix}{kind.capitalize()}CapacityUnits", f"{prefix}{kind} ScalableTarget")


@dataclass(frozen=True)
class PricedReplica:
    """A replica with its region resolved (the stack's when the model says None) and literal read capacity."""

    replica: Replica
    region: str
    read: Units | None = None
    #: Index name -> read capacity in this replica (provisioned only).
    index_reads: dict[str, Units] = field(default_factory=dict)

    @property
    def table_class(self) -> str:
        return self.replica.table_class

    @property
    def pitr(self) -> bool:
        return self.replica.pitr

    def index_read(self, index: str) -> Units | None:
        return self.index_reads.get(index)


@dataclass(frozen=True)
class PricedTable:
    """The facts of a TableModel that pricing uses, every capacity a literal number."""

    model: TableModel
    provisioned: bool
    replicas: list[PricedReplica]
    write: Units | None = None
    #: GSI name -> its provisioned write capacity (shared by all replicas).
    index_writes: dict[str, Units] = field(default_factory=dict)

    @property
    def indexes(self) -> list[str]:
        return [g.name for g in self.model.gsis]

    @property
    def stream(self) -> bool:
        return self.model.stream_view_type is not None

    def index_write(self, index: str) -> Units | None:
        return self.index_writes.get(index)


def _priced_replica(table: TableModel, replica: Replica, region: str, provisioned: bool) -> PricedReplica:
    if not provisioned:
        return PricedReplica(replica, region)
    reads: dict[str, Units] = {}
    read = _units_of(table, replica.read, None, "read")
    for name, capacity in replica.index_reads.items():
        index_read = _units_of(table, capacity, name, "read")
        if index_read is not None:
            reads[name] = index_read
    return PricedReplica(replica, region, read, reads)


def priced_table(table: TableModel, *, stack_region: str) -> PricedTable:
    """What pricing needs of ``table``; Unpriceable when a number it needs is not a literal."""
    if isinstance(table.billing_mode, Intrinsic):
        raise Unpriceable(f"BillingMode is not a literal ({table.billing_mode}): on-demand or provisioned is unknown")
    provisioned = table.billing_mode == "PROVISIONED"
    replicas = [_priced_replica(table, r, r.region_or(stack_region), provisioned) for r in table.replicas]
    if not replicas:  # a GlobalTable without Replicas: one in the stack's region
        bare = Replica(None, False, STANDARD, pitr=False, pitr_days=None, deletion_protection=False, tags={})
        replicas = [PricedReplica(bare, stack_region)]
    if not provisioned:
        return PricedTable(table, provisioned, replicas)
    writes: dict[str, Units] = {}
    write = _units_of(table, table.write, None, "write")
    for gsi in table.gsis:
        index_write = _units_of(table, gsi.write, gsi.name, "write")
        if index_write is not None:
            writes[gsi.name] = index_write
    return PricedTable(table, provisioned, replicas, write, writes)


def _capacity_cost(
    capacity: Units | None, hour_price: Decimal, hours: Decimal, consumed: Decimal | None
) -> tuple[Cost, Decimal | None]:
    """Capacity x hours x price; with autoscaling a range, and an expected value from consumed units."""
    if capacity is None:
        return Cost.of(ZERO), None
    cost = Cost(capacity.min * hours * hour_price, capacity.max * hours * hour_price)
    expected = None
    if capacity.autoscaled and consumed is not None:
        average = consumed / (hours * 3600)
        target = (capacity.target or Decimal(100)) / 100
        held = min(max(average / target, capacity.min), capacity.max)
        expected = held * hours * hour_price
    return cost, expected


# --- the pricer ------------------------------------------------------------------------


@dataclass
class TableRef:
    """Where a table sits: its stack, and the system, catalog name, stage and region it is priced under."""

    stack: StackTemplate
    model: TableModel
    system: str
    table: str
    stage: str
    region: str

    @property
    def logical_id(self) -> str:
        return self.model.logical_id


class TablePricer:
    def __init__(self, estimate: Estimate, ref: TableRef, table: PricedTable, usage: ResourceUsage | None) -> None:
        self.estimate = estimate
        self.ref = ref
        self.table = table
        self.usage = usage
        self.hours = estimate.book.hours_per_month
        self.components: list[Component] = []
        #: Parts of the table that could not be priced: {"what", "region", "reason"}.
        self.unpriced: list[dict[str, str]] = []
        self.name = f"{ref.system}/{ref.table}"

    def value(self, key: str) -> Decimal:
        return (self.usage.get(key) if self.usage else None) or ZERO

    def primary(self) -> PricedReplica:
        return next((r for r in self.table.replicas if r.region == self.ref.region), self.table.replicas[0])

    def prices(self, region: str) -> RegionPrices:
        return self.estimate.book.region(region)

    @staticmethod
    def prefix(replica: PricedReplica) -> str:
        return "ia_" if replica.table_class == STANDARD_IA else ""

    def add(self, name: str, cost: Cost, detail: str, expected: Decimal | None = None) -> None:
        self.components.append(Component(name, cost, detail, expected))

    def index_usage(self, index: str) -> dict[str, Decimal] | None:
        return self.usage.indexes.get(index) if self.usage else None

    def use_free(self, replica: PricedReplica, item: str, amount: Decimal) -> None:
        self.estimate.use_free(self.ref.stage, replica.region, item, amount)

    def check_usage(self) -> None:
        if self.usage is None:
            return
        for key in self.usage.values:
            if key not in TABLE_KEYS:
                raise self.usage.error("not a DynamoDB table usage key", field=key)
        for index in self.usage.indexes:
            if index not in self.table.indexes:
                known = ", ".join(self.table.indexes) or "none"
                raise self.usage.error(
                    f"the table has no index '{index}' (its GSIs: {known})", field=f"indexes.{index}"
                )
        if self.value("monthly_streams_read_request_units") and not self.table.stream:
            raise self.usage.error("the table has no stream", field="monthly_streams_read_request_units")

    def price(self) -> tuple[Cost, Decimal | None]:
        self.check_usage()
        if self.usage is None:
            self.estimate.assume("Tables with no usage entry are priced at zero traffic and zero storage.")
        primary = self.primary()
        p = self.prices(primary.region)
        if primary.table_class == STANDARD_IA:
            self.estimate.assume(IA_UNVERIFIED)
        if self.table.provisioned:
            self.price_provisioned(primary, p)
        else:
            self.price_on_demand(primary, p)
        self.price_storage_and_backups(primary, p)
        for replica in self.table.replicas:
            if replica is not primary:
                try:
                    self.price_replica(replica)
                except MissingPrice as missing:
                    # Price what can be priced; name what cannot (PRICING.md covers us-east-1 only).
                    self.unpriced.append(
                        {"what": f"replica {replica.region}", "region": replica.region, "reason": missing.detail}
                    )
        table_cost = total(c.cost for c in self.components)
        expected = None
        if any(c.expected is not None for c in self.components):
            expected = sum((c.expected if c.expected is not None else c.cost.min for c in self.components), ZERO)
        return table_cost, expected

    # on-demand: request units
    def price_on_demand(self, primary: PricedReplica, p: RegionPrices) -> None:
        pre = self.prefix(primary)
        rru, wru = (
            p.price("dynamodb", f"{pre}read_request_units_per_million"),
            p.price("dynamodb", f"{pre}write_request_units_per_million"),
        )
        reads, writes = self.value("monthly_read_request_units"), self.value("monthly_write_request_units")
        self.add("reads", Cost.of(reads * rru / MILLION), f"{reads} RRU x ${rru}/M")
        self.add("writes", Cost.of(writes * wru / MILLION), f"{writes} WRU x ${wru}/M")
        storage_price = p.price("dynamodb", f"{pre}storage_gb_month")
        for index in self.table.indexes:
            self.price_on_demand_index(index, writes, rru, wru, storage_price)

    def price_on_demand_index(self, index: str, writes: Decimal, rru: Decimal, wru: Decimal, storage: Decimal) -> None:
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
        cost = index_reads * rru / MILLION + index_writes * wru / MILLION + index_gb * storage
        self.add(
            f"gsi {index}",
            Cost.of(cost),
            f"{index_reads} RRU x ${rru}/M + {index_writes} WRU x ${wru}/M + {index_gb} GB x ${storage}",
        )

    # provisioned: capacity-hours
    def price_provisioned(self, primary: PricedReplica, p: RegionPrices) -> None:
        pre = self.prefix(primary)
        rcu, wcu = p.price("dynamodb", f"{pre}rcu_hour"), p.price("dynamodb", f"{pre}wcu_hour")
        storage_price = p.price("dynamodb", f"{pre}storage_gb_month")
        h = self.hours
        reads_used = self.usage.get("monthly_read_request_units") if self.usage else None
        writes_used = self.usage.get("monthly_write_request_units") if self.usage else None
        for label, capacity, price, consumed in (
            ("reads", primary.read, rcu, reads_used),
            ("writes", self.table.write, wcu, writes_used),
        ):
            cost, expected = _capacity_cost(capacity, price, h, consumed)
            unit = "RCU" if label == "reads" else "WCU"
            text = f"{capacity} {unit} x {h} h x ${price}" if capacity else f"no {unit} provisioned"
            self.add(label, cost, text, expected)
            if capacity is not None and primary.table_class != STANDARD_IA:
                self.use_free(primary, unit, capacity.min)
        for index in self.table.indexes:
            self.price_provisioned_index(index, primary, rcu, wcu, storage_price)

    def price_provisioned_index(
        self, index: str, primary: PricedReplica, rcu: Decimal, wcu: Decimal, storage_price: Decimal
    ) -> None:
        h = self.hours
        use = self.index_usage(index) or {}
        read, write = primary.index_read(index), self.table.index_write(index)
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
        read_text = f"{read} RCU" if read else "0 RCU"
        write_text = f"{write} WCU" if write else "0 WCU"
        self.add(
            f"gsi {index}",
            cost,
            f"{read_text} x {h} h x ${rcu} + {write_text} x {h} h x ${wcu} + {index_gb} GB x ${storage_price}",
            expected,
        )
        if primary.table_class != STANDARD_IA:
            if read:
                self.use_free(primary, "RCU", read.min)
            if write:
                self.use_free(primary, "WCU", write.min)

    def index_storage_gb(self) -> Decimal:
        return sum(((self.index_usage(i) or {}).get("storage_gb", ZERO) for i in self.table.indexes), ZERO)

    def pitr_gb(self) -> Decimal:
        """PITR storage: ``pitr_backup_storage_gb``, else the table's ``storage_gb``."""
        pitr_gb = self.usage.get("pitr_backup_storage_gb") if self.usage else None
        return self.value("storage_gb") if pitr_gb is None else pitr_gb

    def price_storage_and_backups(self, primary: PricedReplica, p: RegionPrices) -> None:
        pre = self.prefix(primary)
        gb = self.value("storage_gb")
        price = p.price("dynamodb", f"{pre}storage_gb_month")
        self.add("storage", Cost.of(gb * price), f"{gb} GB x ${price}")
        if pre == "":
            self.use_free(primary, "storage_gb", gb + self.index_storage_gb())
        if primary.pitr:
            pitr_gb, pitr = self.pitr_gb(), p.price("dynamodb", "pitr_gb_month")
            self.add("pitr", Cost.of(pitr_gb * pitr), f"{pitr_gb} GB x ${pitr}")
        for usage_key, price_key, name in (
            ("on_demand_backup_storage_gb", "backup_gb_month", "backups"),
            ("monthly_data_restored_gb", "restore_gb", "restores"),
        ):
            amount = self.value(usage_key)
            if amount:
                price = p.price("dynamodb", price_key)
                self.add(name, Cost.of(amount * price), f"{amount} GB x ${price}")
        if self.table.stream:
            stream_reads = self.value("monthly_streams_read_request_units")
            price = p.price("dynamodb", "streams_read_requests_per_100k")
            self.add("streams", Cost.of(stream_reads * price / HUNDRED_K), f"{stream_reads} reads x ${price}/100k")
            self.use_free(primary, "stream_reads", stream_reads)
            self.estimate.assume("Stream reads by Lambda triggers are free; give only other readers' requests.")

    # another region
    def replica_capacity(self, replica: PricedReplica, p: RegionPrices) -> tuple[list[Cost], Decimal | None, str]:
        """A provisioned replica: replicated WCU of the table and GSIs, and its own RCU.

        Returns the parts, their expected cost and the text. Replicated writes follow the
        primary's expected capacity (the same consumed writes are replayed here, so autoscaling
        holds the same units); the expected cost is None when no usage gives consumed writes.
        """
        pre, h = self.prefix(replica), self.hours
        rwcu, rcu = p.price("dynamodb", "replicated_wcu_hour"), p.price("dynamodb", f"{pre}rcu_hour")
        writes = [(self.table.write, self.usage.get("monthly_write_request_units") if self.usage else None)]
        for index in self.table.indexes:
            writes.append(
                (self.table.index_write(index), (self.index_usage(index) or {}).get("monthly_write_request_units"))
            )
        reads = [replica.read] + [replica.index_read(i) for i in self.table.indexes]
        parts: list[Cost] = []
        expected = ZERO
        followed = False
        for capacity, consumed in writes:
            cost, held = _capacity_cost(capacity, rwcu, h, consumed)
            parts.append(cost)
            expected += cost.min if held is None else held
            followed = followed or held is not None
        for capacity in reads:
            cost = _capacity_cost(capacity, rcu, h, None)[0]
            parts.append(cost)
            expected += cost.min
        write_caps = " + ".join(str(c) for c, _ in writes if c) or "0"
        read_caps = " + ".join(str(c) for c in reads if c) or "0"
        for capacity in reads:
            if capacity and pre == "":
                self.use_free(replica, "RCU", capacity.min)
        text = f"({write_caps}) rWCU x {h} h x ${rwcu} + ({read_caps}) RCU x {h} h x ${rcu}"
        return parts, expected if followed else None, text

    def replica_writes(self, p: RegionPrices) -> tuple[list[Cost], Decimal | None, str]:
        """An on-demand replica: replicated write request units of the table and GSIs."""
        rwru = p.price("dynamodb", "replicated_write_request_units_per_million")
        base_writes = self.value("monthly_write_request_units")
        index_writes = ZERO
        for index in self.table.indexes:
            use = self.index_usage(index) or {}
            index_writes += use.get("monthly_write_request_units", base_writes)
        cost = (base_writes + index_writes) * rwru / MILLION
        return [Cost.of(cost)], None, f"({base_writes} + {index_writes} GSI) rWRU x ${rwru}/M"

    def price_replica(self, replica: PricedReplica) -> None:
        """Another region: replicated writes (table and GSIs), its own read capacity, storage and PITR."""
        p = self.prices(replica.region)
        pre = self.prefix(replica)
        if self.table.provisioned:
            parts, expected, text = self.replica_capacity(replica, p)
        else:
            parts, expected, text = self.replica_writes(p)
        texts = [text]
        gb = self.value("storage_gb") + self.index_storage_gb()
        storage = p.price("dynamodb", f"{pre}storage_gb_month")
        parts.append(Cost.of(gb * storage))
        fixed = gb * storage
        texts.append(f"{gb} GB x ${storage}")
        if pre == "":
            self.use_free(replica, "storage_gb", gb)
        if replica.pitr:
            pitr_gb, pitr = self.pitr_gb(), p.price("dynamodb", "pitr_gb_month")
            parts.append(Cost.of(pitr_gb * pitr))
            fixed += pitr_gb * pitr
            texts.append(f"PITR {pitr_gb} GB x ${pitr}")
        if replica.table_class == STANDARD_IA:
            self.estimate.assume(IA_UNVERIFIED)
        self.estimate.assume(
            "Reads are all counted in the table's own region; replicas add replicated writes, storage and PITR."
        )
        self.add(
            f"replica {replica.region}",
            total(parts),
            " + ".join(texts),
            None if expected is None else expected + fixed,
        )


def _note_unpriced_features(estimate: Estimate, ref: TableRef) -> None:
    for flag, label in UNPRICED_FEATURES:
        if any(getattr(replica, flag) for replica in ref.model.replicas):
            estimate.assume(
                f"{ref.system}/{ref.table}: {label} is enabled and not priced (no price in the price file)."
            )


def price_table(estimate: Estimate, ref: TableRef, table: PricedTable, usage: ResourceUsage | None) -> None:
    """Price one table into ``estimate``: its result entry, its cost, its assumptions and free-tier use."""
    _note_unpriced_features(estimate, ref)
    pricer = TablePricer(estimate, ref, table, usage)
    cost, expected = pricer.price()
    primary = pricer.primary()
    entry: dict[str, Any] = {
        "logical_id": ref.logical_id,
        "system": ref.system,
        "table": ref.table,
        "stage": ref.stage,
        "stack": ref.stack.display_name,
        "type": ref.model.type,
        "region": primary.region,
        "replica_regions": [r.region for r in table.replicas if r is not primary],
        "billing_mode": "provisioned" if table.provisioned else "on_demand",
        "table_class": primary.table_class,
        "pitr": primary.pitr,
        "usage": usage.name if usage else None,
        **money(cost),
    }
    if expected is not None:
        entry["monthly_usd_expected"] = usd(expected)
    entry["components"] = [c.to_json() for c in pricer.components]
    if pricer.unpriced:
        entry["unpriced"] = pricer.unpriced
        for part in pricer.unpriced:
            estimate.not_priced(ref.stack.display_name, ref.logical_id, ref.system, ref.table, ref.stage, **part)
    estimate.tables.append(entry)
    estimate.table_costs.append((ref.system, ref.stage, cost))
