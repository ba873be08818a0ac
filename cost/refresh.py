"""``--refresh-prices``: rebuild the DynamoDB prices of the data file from the AWS Price List API.

Uses the boto3 ``pricing`` client (endpoint region us-east-1, service code
AmazonDynamoDB), filtered to one region. Each PriceList entry is a JSON string
with ``product.attributes.usagetype`` and
``terms.OnDemand[sku][offer].priceDimensions[rate].pricePerUnit.USD``. Usage
types carry a region prefix outside us-east-1 (``USE2-ReadRequestUnits``).
CloudWatch, SNS and Budgets prices and the free-tier quantities are kept from
the existing file (they are not in the AmazonDynamoDB offer).
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from cost.prices import DEFAULT_PRICES, parse_price_book
from tableforge.errors import TableforgeError

SERVICE_CODE = "AmazonDynamoDB"
PRICING_ENDPOINT_REGION = "us-east-1"

#: usagetype (without region prefix) -> (price file item, multiplier from the offer's unit).
USAGE_TYPES: dict[str, tuple[str, Decimal]] = {
    "ReadRequestUnits": ("read_request_units_per_million", Decimal(1_000_000)),
    "WriteRequestUnits": ("write_request_units_per_million", Decimal(1_000_000)),
    "IA-ReadRequestUnits": ("ia_read_request_units_per_million", Decimal(1_000_000)),
    "IA-WriteRequestUnits": ("ia_write_request_units_per_million", Decimal(1_000_000)),
    "ReadCapacityUnit-Hrs": ("rcu_hour", Decimal(1)),
    "WriteCapacityUnit-Hrs": ("wcu_hour", Decimal(1)),
    "IA-ReadCapacityUnit-Hrs": ("ia_rcu_hour", Decimal(1)),
    "IA-WriteCapacityUnit-Hrs": ("ia_wcu_hour", Decimal(1)),
    "TimedStorage-ByteHrs": ("storage_gb_month", Decimal(1)),
    "IA-TimedStorage-ByteHrs": ("ia_storage_gb_month", Decimal(1)),
    "TimedPITRStorage-ByteHrs": ("pitr_gb_month", Decimal(1)),
    "TimedBackupStorage-ByteHrs": ("backup_gb_month", Decimal(1)),
    "RestoreDataSize-Bytes": ("restore_gb", Decimal(1)),
    "Streams-Requests": ("streams_read_requests_per_100k", Decimal(100_000)),
    "ReplWriteRequestUnits": ("replicated_write_request_units_per_million", Decimal(1_000_000)),
    "ReplWriteCapacityUnit-Hrs": ("replicated_wcu_hour", Decimal(1)),
}


def make_client() -> Any:
    """A pricing client, or a clear error when there are no credentials (we never prompt or guess)."""
    import boto3

    session = boto3.Session()
    if session.get_credentials() is None:
        raise TableforgeError(
            "no AWS credentials found; --refresh-prices needs credentials allowed to call pricing:GetProducts",
            field="--refresh-prices",
        )
    return session.client("pricing", region_name=PRICING_ENDPOINT_REGION)


def fetch_offer(client: Any, region: str) -> list[dict[str, Any]]:
    """Every AmazonDynamoDB product in ``region``, with its terms, paging through NextToken."""
    products: list[dict[str, Any]] = []
    request: dict[str, Any] = {
        "ServiceCode": SERVICE_CODE,
        "Filters": [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}],
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    }
    while True:
        response = client.get_products(**request)
        products.extend(json.loads(item) for item in response.get("PriceList", []))
        token = response.get("NextToken")
        if not token:
            return products
        request["NextToken"] = token


def _usage_type(raw: str, region: str) -> str:
    # us-east-1 has no prefix; elsewhere the first segment is the region code (USE2-, EUW1-, ...).
    return raw if region == "us-east-1" else raw.split("-", 1)[-1]


def _first_paid_price(terms: dict[str, Any]) -> Decimal | None:
    """The lowest paid tier: skips the $0 free tier (e.g. the first 25 GB of storage)."""
    dimensions = [d for offer in terms.values() for d in (offer.get("priceDimensions") or {}).values()]
    paid = [d for d in dimensions if Decimal(str(d.get("pricePerUnit", {}).get("USD", "0"))) > 0]
    if not paid:
        return None
    paid.sort(key=lambda d: Decimal(str(d.get("beginRange", "0"))))
    return Decimal(str(paid[0]["pricePerUnit"]["USD"]))


def prices_from_offer(products: list[dict[str, Any]], region: str) -> dict[str, Decimal]:
    """Our DynamoDB price items from offer products (only the usage types we know)."""
    out: dict[str, Decimal] = {}
    for product in products:
        attributes = (product.get("product") or {}).get("attributes") or {}
        if attributes.get("regionCode", region) != region:
            continue
        known = USAGE_TYPES.get(_usage_type(str(attributes.get("usagetype", "")), region))
        if known is None:
            continue
        sku = (product.get("product") or {}).get("sku")
        terms = ((product.get("terms") or {}).get("OnDemand") or {}).get(sku) or {}
        price = _first_paid_price(terms)
        if price is not None:
            item, factor = known
            out[item] = (price * factor).normalize()
    return out


def refresh_price_file(
    client: Any,
    region: str,
    *,
    source: Path | str | None = None,
    target: Path | str | None = None,
    today: str | None = None,
) -> tuple[Path, dict[str, Decimal]]:
    """Rewrite the price file with ``region``'s DynamoDB prices from the API; returns the file and what changed."""
    source_path = Path(source) if source else DEFAULT_PRICES
    target_path = Path(target) if target else source_path
    data = json.loads(source_path.read_text())
    fetched = prices_from_offer(fetch_offer(client, region), region)
    if not fetched:
        raise TableforgeError(f"the Price List API returned no DynamoDB prices for region '{region}'", field="region")
    new = copy.deepcopy(data)
    regions = new.setdefault("regions", {})
    entry = regions.setdefault(region, {})
    if "free_tier" not in entry and "us-east-1" in regions:
        # The always-free quantities are the same per account in every region.
        entry["free_tier"] = copy.deepcopy(regions["us-east-1"]["free_tier"])
    dynamodb = entry.setdefault("dynamodb", {})
    for item, price in sorted(fetched.items()):
        usage_type = next(k for k, (name, _) in USAGE_TYPES.items() if name == item)
        dynamodb[item] = {"usd": str(price), "usagetype": usage_type, "source": "AWS Price List API"}
    date = today or datetime.now(UTC).date().isoformat()
    new["price_date"] = date
    new["source"] = f"AWS Price List API ({SERVICE_CODE}, {region}, {date}); other prices from {data.get('source')}"
    parse_price_book(new, path=str(target_path))  # validate before writing
    target_path.write_text(json.dumps(new, indent=2) + "\n")
    return target_path, fetched
