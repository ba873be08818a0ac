"""Every bad-catalog case fails before synth with a message naming file, table and field."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tableforge.catalog import load_catalog
from tableforge.errors import CatalogError, StageError, TableforgeError
from tableforge.settings import AppSettings, parse_bool
from tableforge.stages import select_stages

ROOT = Path(__file__).resolve().parent.parent

VALID: dict[str, Any] = {
    "system": "shop",
    "description": "A test system.",
    "tables": {
        "orders": {
            "description": "Orders.",
            "source": [{"doc": "test", "section": "orders"}],
            "partition_key": {"name": "order_id", "type": "S"},
            "billing": {"mode": "on_demand"},
            "gsis": [
                {
                    "name": "customer-index",
                    "partition_key": {"name": "customer_id", "type": "S"},
                    "purpose": "A customer's orders.",
                }
            ],
        }
    },
}


def write_catalog(tmp_path: Path, data: dict[str, Any] | str, name: str = "shop") -> Path:
    directory = tmp_path / "catalog"
    directory.mkdir(exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    (directory / f"{name}.yaml").write_text(text)
    return directory


def catalog_error(tmp_path: Path, data: dict[str, Any] | str) -> CatalogError:
    with pytest.raises(CatalogError) as info:
        load_catalog(write_catalog(tmp_path, data))
    return info.value


def mutated(**table_changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    data["tables"]["orders"].update(table_changes)
    return data


def test_valid_catalog_loads(tmp_path: Path) -> None:
    catalog = load_catalog(write_catalog(tmp_path, VALID))
    assert list(catalog.tables("shop")) == ["orders"]


def test_a_file_changed_between_loads_is_read_again(tmp_path: Path) -> None:
    """A process keeps what it parsed (adopt, the tests): an edited file, same path, must not
    come back as it was, and an edit that breaks it must fail every time."""
    directory = write_catalog(tmp_path, VALID)
    assert list(load_catalog(directory).tables("shop")) == ["orders"]
    grown = copy.deepcopy(VALID)
    grown["tables"]["returns"] = copy.deepcopy(VALID["tables"]["orders"])
    write_catalog(tmp_path, grown)
    assert list(load_catalog(directory).tables("shop")) == ["orders", "returns"]
    write_catalog(tmp_path, mutated(billing={"mode": "sometimes"}))
    for _ in range(2):
        with pytest.raises(CatalogError, match="billing"):
            load_catalog(directory)
    write_catalog(tmp_path, VALID)
    assert list(load_catalog(directory).tables("shop")) == ["orders"]


def test_unknown_key_names_file_table_field_and_suggests(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    data["tables"]["orders"]["gsi"] = data["tables"]["orders"].pop("gsis")
    error = catalog_error(tmp_path, data)
    assert error.file is not None and error.file.endswith("shop.yaml")
    assert error.item == "table 'orders'"
    assert error.field == "gsi"
    assert "unknown key 'gsi'; did you mean 'gsis'?" in str(error)


def test_unknown_nested_key_is_reported_with_its_path(tmp_path: Path) -> None:
    data = mutated(billing={"mode": "on_demand", "maxx_read": 5})
    error = catalog_error(tmp_path, data)
    assert error.field == "billing.maxx_read"
    assert "unknown key 'maxx_read'" in str(error)


def test_duplicate_table_names(tmp_path: Path) -> None:
    text = yaml.safe_dump(VALID, sort_keys=False)
    orders_block = text[text.index("  orders:") :]
    error = catalog_error(tmp_path, text + orders_block)
    assert "duplicate key 'orders'" in str(error)
    assert "shop.yaml" in str(error)


def test_attribute_with_conflicting_types(tmp_path: Path) -> None:
    data = mutated(
        gsis=[
            {
                "name": "by-order",
                "partition_key": {"name": "order_id", "type": "N"},
                "purpose": "x",
            }
        ]
    )
    error = catalog_error(tmp_path, data)
    assert error.item == "table 'orders'"
    assert error.field == "gsis[0].partition_key.type"
    assert "attribute 'order_id' is type N here but type S in partition_key" in str(error)


def test_provisioned_table_without_capacity(tmp_path: Path) -> None:
    error = catalog_error(tmp_path, mutated(billing={"mode": "provisioned"}))
    assert error.item == "table 'orders'"
    assert error.field == "billing.read"
    assert "provisioned table needs read capacity" in str(error)


def test_provisioned_table_without_write_capacity(tmp_path: Path) -> None:
    error = catalog_error(tmp_path, mutated(billing={"mode": "provisioned", "read": 5}))
    assert error.field == "billing.write"


def test_capacity_on_on_demand_table(tmp_path: Path) -> None:
    error = catalog_error(tmp_path, mutated(billing={"mode": "on_demand", "read": 5}))
    assert error.field == "billing.read"
    assert "only for provisioned tables" in str(error)


def test_ttl_on_key_attribute(tmp_path: Path) -> None:
    error = catalog_error(tmp_path, mutated(ttl="order_id"))
    assert error.item == "table 'orders'"
    assert error.field == "ttl"
    assert "TTL attribute 'order_id' is a key attribute" in str(error)


def test_ttl_attribute_must_be_a_number_where_used_as_gsi_key(tmp_path: Path) -> None:
    data = mutated(
        ttl="expires_at",
        gsis=[{"name": "by-expiry", "partition_key": {"name": "expires_at", "type": "S"}, "purpose": "x"}],
    )
    error = catalog_error(tmp_path, data)
    assert error.field == "ttl"
    assert "type N" in str(error)


def test_more_than_20_gsis(tmp_path: Path) -> None:
    # DynamoDB's default quota: 20 GSIs per table.
    gsis = [
        {"name": f"index-{i:02d}", "partition_key": {"name": f"attr{i}", "type": "S"}, "purpose": "x"}
        for i in range(21)
    ]
    error = catalog_error(tmp_path, mutated(gsis=gsis))
    assert error.field == "gsis"
    assert "21 GSIs declared; DynamoDB allows at most 20" in str(error)


def test_exactly_20_gsis_is_allowed(tmp_path: Path) -> None:
    gsis = [
        {"name": f"index-{i:02d}", "partition_key": {"name": f"attr{i}", "type": "S"}, "purpose": "x"}
        for i in range(20)
    ]
    catalog = load_catalog(write_catalog(tmp_path, mutated(gsis=gsis)))
    assert len(catalog.tables("shop")["orders"].gsis) == 20


def test_table_name_breaking_naming_rules(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    data["tables"]["Orders!"] = data["tables"].pop("orders")
    error = catalog_error(tmp_path, data)
    assert error.item == "table 'Orders!'"
    assert "kebab-case" in str(error)


def test_physical_name_longer_than_dynamodb_allows(tmp_path: Path) -> None:
    # DynamoDB table names are at most 255 characters; 'shop-' + name + '-staging' must fit.
    long_name = "a" * 250
    data = copy.deepcopy(VALID)
    data["tables"][long_name] = data["tables"].pop("orders")
    error = catalog_error(tmp_path, data)
    assert error.item == f"table '{long_name}'"
    assert "breaks DynamoDB's naming rules" in str(error)


def test_index_name_too_short(tmp_path: Path) -> None:
    # DynamoDB index names are 3-255 characters.
    data = mutated(gsis=[{"name": "ab", "partition_key": {"name": "customer_id"}, "purpose": "x"}])
    error = catalog_error(tmp_path, data)
    assert error.field == "gsis[0].name"
    assert "3-255 characters" in str(error)


def test_duplicate_gsi_names(tmp_path: Path) -> None:
    gsi = VALID["tables"]["orders"]["gsis"][0]
    error = catalog_error(tmp_path, mutated(gsis=[gsi, gsi]))
    assert error.field == "gsis[1].name"
    assert "duplicate GSI name 'customer-index'" in str(error)


def test_missing_required_field(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    del data["tables"]["orders"]["partition_key"]
    error = catalog_error(tmp_path, data)
    assert error.item == "table 'orders'"
    assert error.field == "partition_key"
    assert "required field is missing" in str(error)


def test_bad_billing_mode_value(tmp_path: Path) -> None:
    error = catalog_error(tmp_path, mutated(billing={"mode": "pay_per_request"}))
    assert error.field == "billing.mode"
    assert "'pay_per_request'" in str(error)


def test_system_must_match_file_name(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    data["system"] = "other"
    error = catalog_error(tmp_path, data)
    assert error.field == "system"


def test_catalog_that_is_not_a_mapping(tmp_path: Path) -> None:
    error = catalog_error(tmp_path, "- orders\n")
    assert (error.item, error.field) == (None, None)
    assert str(error).endswith("shop.yaml: expected a mapping with system, description and tables, got a list")


def test_rule_in_a_validator_reads_as_its_own_message(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    data["system"] = "Shop"
    error = catalog_error(tmp_path, data)
    assert error.field == "system"
    assert error.detail == "system names are kebab-case: lower-case letters, digits and '-'"


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    error = catalog_error(tmp_path, "system: shop\ntables: [unclosed\n")
    assert "invalid YAML at line" in str(error)


def test_unhashable_key_is_invalid_yaml_not_a_crash(tmp_path: Path) -> None:
    error = catalog_error(tmp_path, "system: shop\ntables:\n  [orders]: {}\n")
    assert "invalid YAML at line 3: found unhashable key" in str(error)


def test_too_many_tables_in_one_stack(tmp_path: Path) -> None:
    # CloudFormation: 200 outputs per template, and every table publishes two.
    data = copy.deepcopy(VALID)
    base = data["tables"].pop("orders")
    for i in range(101):
        data["tables"][f"t{i:03d}"] = base
    error = catalog_error(tmp_path, data)
    assert error.field == "stack"
    assert "stack 0 holds 101 tables; at most 100" in str(error)


def test_unknown_stage() -> None:
    with pytest.raises(StageError) as info:
        select_stages("dev,qa", source="context 'stages'")
    assert str(info.value) == "context 'stages': field 'stage': unknown stage 'qa'; known stages: dev, staging, prod"


def test_bad_feature_flag_value() -> None:
    with pytest.raises(Exception) as info:
        parse_bool("maybe", "context 'marketplace_enabled'")
    assert "context 'marketplace_enabled'" in str(info.value)
    assert "must be true or false" in str(info.value)


def test_settings_read_flags_from_context_strings() -> None:
    context = {"marketplace_enabled": "true", "stages": "prod"}
    settings = AppSettings.from_context(context.get, environ={})
    assert settings.flags == {"marketplace_enabled": True}
    assert [s.name for s in settings.stages] == ["prod"]


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"marketplace_enabled": "maybe"}, "context 'marketplace_enabled': must be true or false, got 'maybe'"),
        ({"stages": ["dev"]}, "context 'stages': expected stage names separated by commas, got ['dev']"),
        ({"account": ["111111111111"]}, "context 'account': expected a string, got a list"),
    ],
)
def test_bad_context_setting_is_one_error_naming_the_key(context: dict[str, Any], message: str) -> None:
    with pytest.raises(TableforgeError) as info:
        AppSettings.from_context(context.get, environ={})
    assert str(info.value) == message


def _run_app(tmp_path: Path, context: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CDK_CONTEXT_JSON": json.dumps(context),
        "CDK_OUTDIR": str(tmp_path / "out"),
    }
    return subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_app_reports_bad_catalog_without_traceback_and_writes_nothing(tmp_path: Path) -> None:
    directory = write_catalog(tmp_path, mutated(ttl="order_id"))
    result = _run_app(tmp_path, {"catalog_dir": str(directory)})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "shop.yaml: table 'orders': field 'ttl': TTL attribute 'order_id' is a key attribute" in result.stderr
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_app_reports_a_bad_context_setting_as_one_error_line(tmp_path: Path) -> None:
    result = _run_app(tmp_path, {"marketplace_enabled": "maybe"})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: context 'marketplace_enabled': must be true or false, got 'maybe'"]
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_app_reports_unknown_stage_without_traceback(tmp_path: Path) -> None:
    result = _run_app(tmp_path, {"stages": "qa"})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "unknown stage 'qa'; known stages: dev, staging, prod" in result.stderr
    assert not (tmp_path / "out" / "manifest.json").exists()


# --- budgets: in the catalog, with per-stage overrides -------------------------------------


def test_budget_per_stage_override(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    data["budget"] = {"monthly_usd": 20, "stages": {"dev": 5}}
    path = tmp_path / "shop.yaml"
    path.write_text(yaml.safe_dump(data))
    catalog = load_catalog(tmp_path)
    assert (catalog.budget_usd("shop", "dev"), catalog.budget_usd("shop", "prod")) == (5, 20)


def test_a_system_without_a_budget_gets_000s_50_dollars(tmp_path: Path) -> None:
    # 000_98209684dd8b119b.txt: "Monthly costs under $50", the platform-wide default.
    (tmp_path / "shop.yaml").write_text(yaml.safe_dump(VALID))
    assert load_catalog(tmp_path).budget_usd("shop", "staging") == 50


@pytest.mark.parametrize(
    ("budget", "field"),
    [
        ({"monthly_usd": 0}, "budget.monthly_usd"),
        ({"monthly_usd": 10, "stages": {"prod": -1}}, "budget.stages.prod"),
        ({"monthly_usd": 10, "stages": {"qa": 3}}, "budget.stages.qa"),
        ({"monthly": 10}, "budget.monthly_usd"),
    ],
)
def test_bad_budget_is_one_error_naming_the_field(tmp_path: Path, budget: dict[str, Any], field: str) -> None:
    data = copy.deepcopy(VALID)
    data["budget"] = budget
    error = catalog_error(tmp_path, data)
    assert error.field == field, str(error)
    if "monthly" in budget:
        assert "did you mean 'monthly_usd'" in str(error)
