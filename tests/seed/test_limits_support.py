"""What the limit and text tests share (no tests here): a loader run on data files written
for it, and a scan of every table to show that a refused load wrote nothing."""

from __future__ import annotations

import base64
import dataclasses
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from seed.cli import main

STAGE = "dev"

_serial = itertools.count(10_000)  # five digits: every data folder's name has the same length


def _binary(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(type(value).__name__)


def snapshot(client: Any) -> dict[str, list[str]]:
    """Every item of every table of this DynamoDB Local namespace, in a canonical form."""
    names: list[str] = []
    for page in client.get_paginator("list_tables").paginate():
        names.extend(page["TableNames"])
    tables = {}
    for name in names:
        items: list[str] = []
        for page in client.get_paginator("scan").paginate(TableName=name, ConsistentRead=True):
            items.extend(json.dumps(i, sort_keys=True, default=_binary) for i in page["Items"])
        tables[name] = sorted(items)
    return tables


@dataclasses.dataclass
class Seeder:
    """Runs ``tableforge seed load`` on data files written for one call."""

    ns: Any
    tmp_path: Path
    capsys: pytest.CaptureFixture[str]

    def tables(self, *tables: str) -> None:
        self.ns.create("auxeira-activities-catalog-dev", *(f"auxeira-{t}-dev" for t in tables))

    def write(self, files: dict[str, Any], system: str = "auxeira") -> Path:
        data = self.tmp_path / f"data{next(_serial)}"
        folder = data / system
        folder.mkdir(parents=True)
        good = {"PK": f"ACTIVITY#good{next(_serial)}", "SK": "VERSION#1", "activity_name": "Fine"}
        (folder / "activities-catalog.json").write_text(json.dumps([good]))
        for name, content in files.items():
            path = folder / name
            if isinstance(content, bytes):
                path.write_bytes(content)
            elif isinstance(content, str):
                path.write_text(content, encoding="utf-8")
            else:
                path.write_text(json.dumps(content), encoding="utf-8")
        return data

    def load(self, files: dict[str, Any], *args: str) -> tuple[int, str, str]:
        data = self.write(files)
        code = main(["load", "--stage", STAGE, "--endpoint-url", self.ns.endpoint, "--data", str(data), *args])
        out, err = self.capsys.readouterr()
        assert "Traceback" not in err and "Traceback" not in out, err
        assert "unexpected" not in err, err
        return code, out, err

    def accepts(self, files: dict[str, Any], *args: str) -> str:
        code, out, err = self.load(files, *args)
        assert code == 0, err
        return out

    def refuses(self, files: dict[str, Any], *words: str, args: tuple[str, ...] = ()) -> str:
        before = snapshot(self.ns.client)
        code, _, err = self.load(files, *args)
        assert code == 2, (code, err)
        assert err.startswith("error: ") and err.count("error:") == 1, err
        for word in words:
            assert word in err, (word, err)
        assert snapshot(self.ns.client) == before, "something was written"
        return err

    def item(self, table: str, **key: str) -> dict[str, Any]:
        response = self.ns.client.get_item(
            TableName=f"auxeira-{table}-dev", Key={k: {"S": v} for k, v in key.items()}, ConsistentRead=True
        )
        item: dict[str, Any] = response.get("Item", {})
        return item


def pad(prefix: str, size: int, char: str = "x") -> str:
    """``prefix`` then ``char`` up to ``size`` UTF-8 bytes (``char`` of one or two bytes)."""
    width = len(char.encode())
    body = size - len(prefix.encode())
    text = prefix + char * (body // width)
    return text + "y" * (size - len(text.encode()))
