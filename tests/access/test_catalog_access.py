"""A bad access matrix fails on load, naming the file, the consumer and the field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from tableforge.catalog import load_catalog
from tableforge.errors import CatalogError

SOURCE = [{"doc": "test", "section": "test"}]
VALID: dict[str, Any] = {
    "system": "shop",
    "description": "A test system.",
    "tables": {
        "orders": {
            "description": "Orders.",
            "source": SOURCE,
            "partition_key": {"name": "PK", "pattern": "USER#{user_id}"},
            "sort_key": {"name": "SK"},
            "billing": {"mode": "on_demand"},
            "gsis": [{"name": "status-index", "partition_key": {"name": "status"}, "purpose": "By status."}],
        },
        "carts": {
            "description": "Carts; expire.",
            "source": SOURCE,
            "partition_key": {"name": "cart_id"},
            "billing": {"mode": "on_demand"},
            "ttl": "expires_at",
        },
        "offers": {
            "description": "Gated.",
            "source": SOURCE,
            "partition_key": {"name": "tenant_id"},
            "billing": {"mode": "on_demand"},
            "enabled_by": "marketplace_enabled",
        },
    },
    "consumers": {
        "api": {
            "description": "The API.",
            "source": SOURCE,
            "principal": "lambda",
            "tenant": {"principal_tag": "user_id"},
            "access": [
                {"table": "orders", "level": "read-write", "tenant_scoped": True},
                {"table": "carts", "actions": ["GetItem", "PutItem"]},
            ],
        }
    },
}


def _load(tmp_path: Path, catalog: dict[str, Any], **flags: bool) -> Any:
    (tmp_path / "shop.yaml").write_text(yaml.safe_dump(catalog, sort_keys=False))
    return load_catalog(tmp_path, flags=flags)


def _error(tmp_path: Path, change: Any) -> str:
    catalog = copy.deepcopy(VALID)
    change(catalog)
    with pytest.raises(CatalogError) as caught:
        _load(tmp_path, catalog)
    return str(caught.value)


def _api(catalog: dict[str, Any]) -> dict[str, Any]:
    api: dict[str, Any] = catalog["consumers"]["api"]
    return api


def test_the_valid_matrix_loads(tmp_path: Path) -> None:
    catalog = _load(tmp_path, VALID)
    assert list(catalog.consumers("shop")) == ["api"]
    assert catalog.consumers("shop")["api"].access[0].item_actions() == (
        "GetItem",
        "BatchGetItem",
        "Query",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
    )


CASES = {
    "unknown table": (
        lambda c: _api(c)["access"][1].update(table="cart"),
        "field 'access[1].table': unknown table 'cart'; did you mean 'carts'?",
    ),
    "unknown index": (
        lambda c: _api(c)["access"][1].update(indexes=["status-index"]),
        "field 'access[1].indexes[0]': table 'carts' has no index 'status-index' (its indexes: none)",
    ),
    "unknown access level": (
        lambda c: _api(c)["access"][1].update(level="admin", actions=None),
        "field 'access[1].level': Input should be 'read', 'write' or 'read-write' (got 'admin')",
    ),
    "control-plane action": (
        lambda c: _api(c)["access"][1].update(actions=["GetItem", "DescribeTable"]),
        "field 'access[1].actions[1]': 'DescribeTable' is not a DynamoDB item action",
    ),
    "Scan in an action list": (
        lambda c: _api(c)["access"][1].update(actions=["Scan"]),
        "Scan is granted with 'scan: true'",
    ),
    "level and actions": (
        lambda c: _api(c)["access"][1].update(level="read"),
        "give exactly one of 'level'",
    ),
    "gated table, ungated consumer": (
        lambda c: _api(c)["access"].append({"table": "offers", "level": "read"}),
        "field 'access[2].table': table 'offers' exists only when marketplace_enabled is true",
    ),
    "tenant scope without a tenant": (
        lambda c: _api(c).pop("tenant"),
        "field 'access[0].tenant_scoped': tenant_scoped needs the consumer's 'tenant",
    ),
    "tenant-scoped Scan": (
        lambda c: _api(c)["access"][0].update(scan=True),
        "a tenant-scoped grant cannot Scan",
    ),
    "tenant-scoped index": (
        lambda c: _api(c)["access"][0].update(indexes=["status-index"]),
        "a tenant-scoped grant cannot query indexes",
    ),
    "expiring writes to a table without TTL": (
        lambda c: _api(c).update(writes_expiring_items=True),
        "the consumer writes only expiring items, but table 'orders' has no ttl",
    ),
    "table granted twice": (
        lambda c: _api(c)["access"].append({"table": "carts", "level": "read"}),
        "table 'carts' is granted twice",
    ),
    "unknown principal": (
        lambda c: _api(c).update(principal="ec2"),
        "field 'principal'",
    ),
    "unknown key": (
        lambda c: _api(c).update(tenant_scope=True),
        "unknown key 'tenant_scope'",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_matrix_names_file_consumer_and_field(tmp_path: Path, case: str) -> None:
    change, expected = CASES[case]
    message = _error(tmp_path, change)
    assert "shop.yaml" in message
    assert "consumer 'api'" in message
    assert expected in message


def test_gated_consumer_with_gated_table_loads_and_follows_the_flag(tmp_path: Path) -> None:
    catalog = copy.deepcopy(VALID)
    catalog["consumers"]["seller"] = {
        "description": "Gated.",
        "source": SOURCE,
        "principal": "lambda",
        "enabled_by": "marketplace_enabled",
        "access": [{"table": "offers", "level": "read"}],
    }
    assert list(_load(tmp_path, catalog).consumers("shop")) == ["api"]
    assert list(_load(tmp_path, catalog, marketplace_enabled=True).consumers("shop")) == ["api", "seller"]


def test_role_names_fit_iam(tmp_path: Path) -> None:
    catalog = copy.deepcopy(VALID)
    catalog["consumers"]["a-consumer-whose-name-is-far-too-long-for-an-iam-role-name"] = _api(catalog)
    with pytest.raises(CatalogError, match="IAM allows 64"):
        _load(tmp_path, catalog)
