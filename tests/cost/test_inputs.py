"""Bad usage files, the CLI, and --refresh-prices through botocore's Stubber."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from cost.__main__ import main
from cost.prices import load_price_book
from cost.refresh import SERVICE_CODE, make_client, refresh_price_file
from cost.usage import load_usage_file
from tableforge.errors import TableforgeError
from tests.cost.helpers import cents, global_table, gsi, run


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("body", "item", "field", "message"),
    [
        ("shop/orders: {monthly_reads: 5}", "shop/orders", "monthly_reads", "unknown key"),
        ("shop/orders: {storage_gb: -1}", "shop/orders", "storage_gb", "must not be negative"),
        ("shop/orders: {storage_gb: lots}", "shop/orders", "storage_gb", "expected a number"),
        ("shop/orders: {indexes: {by-day: {storage: 1}}}", "shop/orders", "indexes.by-day.storage", "unknown key"),
        ("shop/orders: {indexes: {by-day: {storage_gb: -2}}}", "shop/orders", "indexes.by-day.storage_gb", "negative"),
    ],
)
def test_bad_usage_values_name_file_item_and_field(
    tmp_path: Path, body: str, item: str, field: str, message: str
) -> None:
    path = _write(tmp_path, "bad.yaml", "version: 1\nresource_usage:\n  " + body + "\n")
    with pytest.raises(TableforgeError) as caught:
        load_usage_file(path)
    error = caught.value
    assert (error.file, error.item, error.field) == (str(path), item, field)
    assert message in str(error)


def test_usage_name_matching_no_resource_and_unknown_index_are_errors(tmp_path: Path) -> None:
    resources = {"OrdersTable": global_table("shop", "orders", gsis=[gsi("by-day")])}
    with pytest.raises(TableforgeError, match="shop/order.*matches no resource"):
        run(resources, {"shop/order": {"storage_gb": 1}})
    with pytest.raises(TableforgeError) as caught:
        run(resources, {"shop/orders": {"indexes": {"by-week": {"storage_gb": 1}}}})
    assert caught.value.field == "indexes.by-week" and "no index 'by-week'" in str(caught.value)
    with pytest.raises(TableforgeError, match="has no stream"):
        run(resources, {"shop/orders": {"monthly_streams_read_request_units": 5}})


def test_usage_file_version_must_be_1(tmp_path: Path) -> None:
    path = _write(tmp_path, "old.yaml", "version: 0.1\nresource_usage: {}\n")
    with pytest.raises(TableforgeError, match="expected version: 1") as caught:
        load_usage_file(path)
    assert caught.value.field == "version"


def test_streams_are_priced_from_usage() -> None:
    resources = {
        "OrdersTable": global_table("shop", "orders", pitr=False, StreamSpecification={"StreamViewType": "NEW_IMAGE"})
    }
    result = run(resources, {"shop/orders": {"monthly_streams_read_request_units": 5_000_000}})
    streams = next(c for c in result["tables"][0]["components"] if c["name"] == "streams")
    assert cents(streams["monthly_usd"]) == cents(50 * D("0.02"))  # 5 M / 100k = 50 x $0.02 = $1.00
    # ... and the first 2.5 M are in the account-level free tier: 25 x $0.02 = $0.50.
    assert cents(result["free_tier"][0]["monthly_usd"]) == D("-0.50")


def _template(tmp_path: Path) -> Path:
    template = {
        "Resources": {
            "OrdersTable": global_table("shop", "orders", pitr=False),
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {}},
        }
    }
    return _write(tmp_path, "Shop.template.json", json.dumps(template))


def test_cli_json_from_a_template_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    usage = _write(tmp_path, "u.yaml", "version: 1\nresource_usage:\n  shop/orders: {storage_gb: 8}\n")
    code = main(["estimate", "--template", str(_template(tmp_path)), "--usage", str(usage), "--format", "json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["price_date"] == load_price_book().price_date
    assert result["total_monthly_usd"] == "2.0000"  # 8 GB x $0.25
    assert [s["type"] for s in result["skipped"]] == ["AWS::Lambda::Function"]
    for key in ("tables", "monitoring_monthly_usd", "skipped", "assumptions"):
        assert key in result


def test_cli_table_and_markdown_name_the_price_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = str(_template(tmp_path))
    date = load_price_book().price_date
    assert main(["estimate", "--template", template]) == 0
    text = capsys.readouterr().out
    assert f"prices of {date}" in text and "skipped (not priced): AWS::Lambda::Function x1" in text
    assert main(["estimate", "--template", template, "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert f"Prices of {date}" in markdown and len(markdown.splitlines()) < 40


def test_cli_bad_usage_prints_error_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    usage = _write(tmp_path, "u.yaml", "version: 1\nresource_usage:\n  shop/orders: {storage_gb: -3}\n")
    assert main(["estimate", "--template", str(_template(tmp_path)), "--usage", str(usage)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "u.yaml: shop/orders: field 'storage_gb'" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("body", "line"),
    [
        (
            "  shop/orders: {indexes: {by-day: 5}}\n",
            "shop/orders: field 'indexes.by-day': expected a mapping of usage keys, got a number",
        ),
        (
            "  shop/orders: {storage_gb: 1, monthly_reads: 5}\n",
            "shop/orders: field 'monthly_reads': unknown key 'monthly_reads'; did you mean 'monthly_requests'?",
        ),
        (
            "  shop/orders:\n    storage_gb: 1\n    storage_gb: 2\n",
            "duplicate key 'storage_gb' at line 5 (first defined at line 4)",
        ),
    ],
)
def test_cli_malformed_usage_file_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, line: str
) -> None:
    usage = _write(tmp_path, "u.yaml", "version: 1\nresource_usage:\n" + body)
    assert main(["estimate", "--template", str(_template(tmp_path)), "--usage", str(usage)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"error: {usage}: {line}"]


def test_usage_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = _write(tmp_path, "list.yaml", "- shop/orders\n")
    with pytest.raises(TableforgeError) as caught:
        load_usage_file(path)
    assert str(caught.value) == f"{path}: expected a mapping with version and resource_usage, got a list"


def test_cli_region_without_prices_is_named_not_fatal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = _write(
        tmp_path,
        "T.template.json",
        json.dumps({"Resources": {"OrdersTable": global_table("shop", "orders", replicas=[{"Region": "sa-east-1"}])}}),
    )
    assert main(["estimate", "--template", str(template)]) == 0
    out = capsys.readouterr().out
    assert "not priced (left out of the totals above):" in out
    assert "shop/orders: table (no prices for region 'sa-east-1'" in out
    # A --region without prices prices nothing at all: that is bad input.
    assert main(["estimate", "--template", str(_template(tmp_path)), "--region", "sa-east-1"]) == 2
    assert "no prices for region 'sa-east-1'" in capsys.readouterr().err


def test_usage_file_that_is_not_utf8_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    usage = tmp_path / "latin1.yaml"
    usage.write_bytes(b"version: 1\nresource_usage:\n  shop/orders: {storage_gb: 1}  # caf\xe9\n")
    assert main(["estimate", "--template", str(_template(tmp_path)), "--usage", str(usage)]) == 2
    err = capsys.readouterr().err
    # 0xe9 is byte 43 of line 3 ("  shop/orders: {storage_gb: 1}  # caf" is 37 characters, +1).
    assert err.splitlines() == [
        f"error: {usage}: not UTF-8 text: byte 0xe9 at line 3, column 38 (invalid continuation byte); "
        "save the file as UTF-8"
    ]


def test_template_and_price_files_that_are_not_utf8_are_errors(tmp_path: Path) -> None:
    from cost.estimate import template_stack

    bad = tmp_path / "T.template.json"
    bad.write_bytes(b'{"Resources": {}, "Description": "\xff"}')
    with pytest.raises(TableforgeError, match="not UTF-8 text: byte 0xff at line 1, column 35"):
        template_stack(bad)
    with pytest.raises(TableforgeError, match="not UTF-8 text"):
        load_price_book(bad)


# --- --refresh-prices ----------------------------------------------------------------------


def _product(sku: str, usagetype: str, dimensions: list[tuple[str, str, str]]) -> str:
    """One PriceList entry as the API returns it: a JSON string (recorded shape, trimmed)."""
    return json.dumps(
        {
            "product": {
                "productFamily": "Amazon DynamoDB PayPerRequest Throughput",
                "sku": sku,
                "attributes": {
                    "usagetype": usagetype,
                    "regionCode": "us-east-1",
                    "group": "DDB-ReadUnits",
                    "operation": "PayPerRequestThroughput",
                },
            },
            "serviceCode": SERVICE_CODE,
            "terms": {
                "OnDemand": {
                    sku: {
                        f"{sku}.JRTCKXETXF": {
                            "priceDimensions": {
                                f"{sku}.JRTCKXETXF.{i}": {
                                    "unit": "unit",
                                    "beginRange": begin,
                                    "endRange": end,
                                    "pricePerUnit": {"USD": usd},
                                }
                                for i, (begin, end, usd) in enumerate(dimensions)
                            }
                        }
                    }
                }
            },
        }
    )


def test_refresh_prices_with_stubber(tmp_path: Path) -> None:
    client = boto3.client(
        "pricing", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    page1 = [
        _product("SKU1", "ReadRequestUnits", [("0", "Inf", "0.0000001300")]),
        _product("SKU2", "TimedStorage-ByteHrs", [("0", "25", "0.0000000000"), ("25", "Inf", "0.2600000000")]),
    ]
    page2 = [
        _product("SKU3", "IA-ReadRequestUnits", [("0", "Inf", "0.0000001550")]),
        _product("SKU4", "SomethingElse-Units", [("0", "Inf", "9.99")]),
    ]
    request = {
        "ServiceCode": SERVICE_CODE,
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
        "Filters": [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": "us-east-1"}],
    }
    with Stubber(client) as stub:
        stub.add_response(
            "get_products", {"PriceList": page1, "NextToken": "page2", "FormatVersion": "aws_v1"}, request
        )
        stub.add_response(
            "get_products", {"PriceList": page2, "FormatVersion": "aws_v1"}, {**request, "NextToken": "page2"}
        )
        target = tmp_path / "prices.json"
        _, fetched = refresh_price_file(client, "us-east-1", target=target, today="2026-12-01")
        stub.assert_no_pending_responses()

    # $0.00000013 per RRU = $0.13 per million; storage skips the free 0-25 GB tier.
    assert fetched == {
        "read_request_units_per_million": D("0.13"),
        "storage_gb_month": D("0.26"),
        "ia_read_request_units_per_million": D("0.155"),
    }
    book = load_price_book(target)
    assert book.price_date == "2026-12-01" and "AWS Price List API" in book.source
    prices = book.region("us-east-1")
    assert prices.price("dynamodb", "read_request_units_per_million") == D("0.13")
    assert prices.price("dynamodb", "write_request_units_per_million") == D("0.625")  # not in the fragment: kept
    assert "dynamodb.ia_read_request_units_per_million" not in prices.unverified  # now confirmed by the offer
    assert "dynamodb.ia_write_request_units_per_million" in prices.unverified


def test_refresh_without_credentials_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(TableforgeError, match="no AWS credentials"):
        make_client()


def test_lenient_usage_for_an_older_assembly_lists_unmatched_entries() -> None:
    resources = {"OrdersTable": global_table("shop", "orders")}
    result = run(resources, {"shop/returns": {"storage_gb": 1}}, strict_usage=False)
    assert any("shop/returns" in a and "matches no resource" in a for a in result["assumptions"])


def test_cli_takes_several_templates_after_one_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = _template(tmp_path)
    second = _write(
        tmp_path, "Other.template.json", json.dumps({"Resources": {"LogTable": global_table("ops", "log", pitr=False)}})
    )
    assert main(["estimate", "--template", str(first), str(second), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert sorted(t["table"] for t in result["tables"]) == ["log", "orders"]
