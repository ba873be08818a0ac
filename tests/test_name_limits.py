"""Every physical name the app emits is checked against its AWS limit before synth.

The limits are AWS's documented ones (cited in tableforge/naming.py); each case
sits one character past a boundary, with the name at the boundary passing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tableforge import naming
from tableforge.errors import CatalogError
from tableforge.generate import generate, write
from tableforge.settings import AppSettings

ROOT = Path(__file__).resolve().parent.parent


def _settings(catalog_dir: Path) -> AppSettings:
    return AppSettings.from_context({"catalog_dir": str(catalog_dir)}.get, environ={})


def _catalog(tmp_path: Path, *, system: str, table: str = "t", gsi: str | None = None, **extra: Any) -> Path:
    catalog = generate(1, system=system)
    spec = next(iter(catalog["tables"].values()))
    spec.pop("gsis", None)
    if gsi:
        spec["gsis"] = [{"name": gsi, "partition_key": {"name": "G", "type": "S"}, "purpose": "test"}]
    spec.update(extra)
    catalog["tables"] = {table: spec}
    write(catalog, tmp_path)
    return tmp_path


def _load(directory: Path) -> None:
    from stacks.wiring import load_app_catalog

    load_app_catalog(_settings(directory))


# --- the limits themselves, at their documented boundaries ------------------------------


@pytest.mark.parametrize(
    ("limit", "longest"),
    [
        (naming.STACK_NAME, 128),
        (naming.TABLE_NAME, 255),
        (naming.ROLE_NAME, 64),
        (naming.TOPIC_NAME, 256),
        (naming.BUDGET_NAME, 100),
        (naming.ALARM_NAME, 255),
        (naming.DASHBOARD_NAME, 255),
    ],
)
def test_length_limits(limit: naming.NameLimit, longest: int) -> None:
    assert limit.problem("a" * longest) is None
    assert "characters" in (limit.problem("a" * (longest + 1)) or "")


def test_character_rules() -> None:
    assert naming.STACK_NAME.problem("1-starts-with-digit")
    assert naming.STACK_NAME.problem("has_underscore")
    assert naming.BUDGET_NAME.problem("a:b")
    assert naming.BUDGET_NAME.problem("x/action/y")
    assert naming.DASHBOARD_NAME.problem("a.b")
    assert naming.TOPIC_NAME.problem("a.b")
    assert naming.TABLE_NAME.problem("ab")
    assert naming.TABLE_NAME.problem("abc") is None


def test_ssm_parameter_limits() -> None:
    ok = "/" + "/".join(["a"] * 15)
    assert naming.SSM_PARAMETER_NAME.problem(ok) is None
    assert naming.SSM_PARAMETER_NAME.problem(ok + "/a")  # 16 levels
    assert naming.SSM_PARAMETER_NAME.problem("/" + "a" * 1010) is None  # 1011 characters
    assert naming.SSM_PARAMETER_NAME.problem("/" + "a" * 1011)
    assert naming.SSM_PARAMETER_NAME.problem("/aws/x")
    assert naming.SSM_PARAMETER_NAME.problem("/SSMx/x")


# --- derived names fail before synth, naming the catalog file ---------------------------


def test_budget_name_over_100_characters(tmp_path: Path) -> None:
    # <system>-staging-monthly is len(system) + 16: 84 fits AWS Budgets' 100, 85 does not.
    _load(_catalog(tmp_path / "ok", system="a" * 84))
    with pytest.raises(CatalogError) as caught:
        _load(_catalog(tmp_path / "bad", system="b" * 85))
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'bad' / ('b' * 85)}.yaml: system '{'b' * 85}': field 'system':")
    assert "budget name" in message and "101 characters" in message and "AWS Budgets allows 100" in message


def test_alarm_name_over_255_characters(tmp_path: Path) -> None:
    # The longest alarm of a provisioned table with a GSI is
    # <system>-<stage>-<table>-gsi-<index>-write-utilization (staging is the longest stage).
    system, table = "sys", "t" * 150
    fixed = len(f"{system}-staging-{table}-gsi--write-utilization")
    billing = {"mode": "provisioned", "read": 5, "write": 5}
    _load(_catalog(tmp_path / "ok", system=system, table=table, gsi="g" * (255 - fixed), billing=billing))
    with pytest.raises(CatalogError) as caught:
        _load(_catalog(tmp_path / "bad", system=system, table=table, gsi="g" * (256 - fixed), billing=billing))
    message = str(caught.value)
    assert f"table '{table}': field 'tables':" in message
    assert "alarm name" in message and "256 characters" in message


def test_role_name_over_64_characters(tmp_path: Path) -> None:
    directory = _catalog(tmp_path, system="sys")
    path = directory / "sys.yaml"
    import yaml

    catalog = yaml.safe_load(path.read_text())
    # sys-<consumer>-staging: 12 + len(consumer) characters.
    consumer = "c" * 53
    catalog["consumers"] = {
        consumer: {
            "description": "d",
            "source": [{"doc": "x", "section": "y"}],
            "principal": "lambda",
            "access": [{"table": "t", "level": "read"}],
        }
    }
    path.write_text(yaml.safe_dump(catalog))
    with pytest.raises(CatalogError) as caught:
        _load(directory)
    assert f"consumer '{consumer}'" in str(caught.value) and "65 characters" in str(caught.value)


def test_app_exits_2_with_one_line_and_writes_no_assembly(tmp_path: Path) -> None:
    """Through app.py, as `cdk synth` runs it: exit 2, one error line, no template."""
    catalog_dir = _catalog(tmp_path / "catalog", system="b" * 85)
    outdir = tmp_path / "cdk.out"
    env = {
        **os.environ,
        "CDK_CONTEXT_JSON": json.dumps({"catalog_dir": str(catalog_dir)}),
        "CDK_OUTDIR": str(outdir),
    }
    result = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "budget name" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not list(outdir.rglob("*.template.json")) and not (outdir / "manifest.json").exists()
