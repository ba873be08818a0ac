"""The price book: a dated JSON data file, read into Decimals.

The shipped file (``cost/data/prices.json``) is transcribed from
``../shared/PRICING.md`` and covers us-east-1 only. ``--refresh-prices`` can
rebuild the DynamoDB part from the AWS Price List API (see ``cost.refresh``).
A region the file does not cover is never a silent guess: the estimate prices
everything else and names what it could not price (``unpriced``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from cost.text import read_utf8
from tableforge.errors import TableforgeError

DEFAULT_PRICES = Path(__file__).resolve().parent / "data" / "prices.json"


class MissingPrice(TableforgeError):
    """The price file has no price for a region or an item: what needs it is unpriced, the rest is not."""

    def __init__(self, message: str, *, region: str, **where: str | None) -> None:
        super().__init__(message, **where)
        #: The region that lacks the price.
        self.region = region


@dataclass(frozen=True)
class RegionPrices:
    region: str
    #: service -> item -> USD price.
    items: dict[str, dict[str, Decimal]]
    #: "service.item" of prices not confirmed against an official source.
    unverified: frozenset[str]
    free_tier: dict[str, Decimal]

    def price(self, service: str, item: str) -> Decimal:
        try:
            return self.items[service][item]
        except KeyError:
            raise MissingPrice(
                f"no price for {service}.{item} in region {self.region}",
                region=self.region,
                item=self.region,
                field=item,
            ) from None


@dataclass(frozen=True)
class PriceBook:
    price_date: str
    source: str
    hours_per_month: Decimal
    regions: dict[str, RegionPrices]
    path: str

    def has_region(self, name: str) -> bool:
        return name in self.regions

    def missing_region(self, name: str) -> str:
        """Why ``name`` cannot be priced, and how to fill it."""
        return (
            f"no prices for region '{name}' (this price file covers: {', '.join(sorted(self.regions))}); "
            "run with --refresh-prices --region <region> where AWS credentials exist, or pass --prices FILE"
        )

    def region(self, name: str) -> RegionPrices:
        try:
            return self.regions[name]
        except KeyError:
            raise MissingPrice(self.missing_region(name), region=name, file=self.path, field="regions") from None


def _decimal(value: Any, *, path: str, item: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise TableforgeError(f"not a number: {value!r}", file=path, item=item) from None
    if number < 0 or not number.is_finite():
        raise TableforgeError(f"prices must be non-negative numbers, got {value!r}", file=path, item=item)
    return number


def parse_price_book(data: dict[str, Any], *, path: str) -> PriceBook:
    if data.get("schema") != 1:
        raise TableforgeError("unsupported price file schema (expected 1)", file=path, field="schema")
    for key in ("price_date", "source", "regions"):
        if key not in data:
            raise TableforgeError("missing", file=path, field=key)
    regions: dict[str, RegionPrices] = {}
    for region, services in data["regions"].items():
        items: dict[str, dict[str, Decimal]] = {}
        unverified: set[str] = set()
        free_tier: dict[str, Decimal] = {}
        for service, entries in services.items():
            if service == "free_tier":
                free_tier = {k: _decimal(v, path=path, item=f"{region}.free_tier.{k}") for k, v in entries.items()}
                continue
            items[service] = {}
            for name, entry in entries.items():
                where = f"{region}.{service}.{name}"
                if not isinstance(entry, dict) or "usd" not in entry:
                    raise TableforgeError("expected {usd: ...}", file=path, item=where)
                items[service][name] = _decimal(entry["usd"], path=path, item=where)
                if entry.get("unverified"):
                    unverified.add(f"{service}.{name}")
        regions[region] = RegionPrices(region, items, frozenset(unverified), free_tier)
    return PriceBook(
        price_date=str(data["price_date"]),
        source=str(data["source"]),
        hours_per_month=_decimal(data.get("hours_per_month", "730"), path=path, item="hours_per_month"),
        regions=regions,
        path=path,
    )


def load_price_book(path: Path | str | None = None) -> PriceBook:
    file = Path(path) if path else DEFAULT_PRICES
    try:
        data = json.loads(read_utf8(file, str(file), what="price file"))
    except json.JSONDecodeError as error:
        raise TableforgeError(f"not valid JSON: {error}", file=str(file)) from None
    return parse_price_book(data, path=str(file))
