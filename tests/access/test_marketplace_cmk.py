"""The flag-gated marketplace consumers, in a stage whose tables use a customer-managed key.

A small app (stackpro only, one stage), not the shared synth: the default app
has the flag off and no customer-managed key.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment

from stacks.stage import TableforgeStage
from tableforge.assembly import read_assembly
from tableforge.catalog import load_catalog
from tableforge.stages import PROD
from tests.access import policies
from tests.access.expected import LEADING_KEYS, STACKPRO, STACKPRO_MARKETPLACE, W
from tests.conftest import ROOT, TEST_ACCOUNT, TEST_REGION


@pytest.fixture(scope="module")
def marketplace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    catalog_dir = tmp_path_factory.mktemp("catalog")
    shutil.copy(ROOT / "catalog" / "stackpro.yaml", catalog_dir)
    catalog = load_catalog(catalog_dir, flags={"marketplace_enabled": True})
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = App(outdir=str(outdir))
    config = PROD.with_changes(encryption="customer_managed")
    TableforgeStage(
        app, "Prod", config=config, catalog=catalog, env=Environment(account=TEST_ACCOUNT, region=TEST_REGION)
    )
    app.synth()
    return {stack.display_name: stack.template for stack in read_assembly(Path(outdir))}


def test_gated_consumers_exist_only_with_the_flag(marketplace: dict[str, Any]) -> None:
    roles = policies.roles(marketplace["Prod/StackproAccess"])
    expected = {**STACKPRO, **STACKPRO_MARKETPLACE}
    assert {name.removeprefix("stackpro-").removesuffix("-prod") for name in roles} == set(expected)
    for name, role in roles.items():
        consumer = name.removeprefix("stackpro-").removesuffix("-prod")
        actual = policies.effective_dynamodb(role["statements"], system="stackpro", stage="prod")
        assert actual == {k: set(v) for k, v in expected[consumer].items()}, name


def test_tenant_scoped_marketplace_grants(marketplace: dict[str, Any]) -> None:
    for name, role in policies.roles(marketplace["Prod/StackproAccess"]).items():
        consumer = name.removeprefix("stackpro-").removesuffix("-prod")
        for action, resource, condition in policies.grants(role["statements"], system="stackpro", stage="prod"):
            if action.startswith("dynamodb:"):
                want = LEADING_KEYS.get(("stackpro", consumer, resource))
                got = condition["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"][0] if condition else None
                assert got == want, f"{name} {action} {resource}"


def test_kms_only_on_the_tables_key(marketplace: dict[str, Any]) -> None:
    """Decrypt for every consumer; GenerateDataKey only for those that write; only on the data stack's key."""
    data = marketplace["Prod/StackproData"]
    [key_id] = [k for k, r in data["Resources"].items() if r["Type"] == "AWS::KMS::Key"]
    for name, role in policies.roles(marketplace["Prod/StackproAccess"]).items():
        consumer = name.removeprefix("stackpro-").removesuffix("-prod")
        kms = [s for s in role["statements"] if any(a.startswith("kms:") for a in s["Action"])]
        actions = {a for s in kms for a in s["Action"]}
        writes = any(set(v) & W for v in {**STACKPRO, **STACKPRO_MARKETPLACE}[consumer].values())
        assert actions == ({"kms:Decrypt", "kms:GenerateDataKey"} if writes else {"kms:Decrypt"}), name
        for statement in kms:
            for resource in statement["Resource"]:
                # A cross-stack reference to the data stack's key, never a wildcard.
                assert "Fn::ImportValue" in resource, resource
                assert key_id in str(resource["Fn::ImportValue"]), resource
