"""JSON streaming, the progress bar switch, rate limiting and synthetic data."""

from __future__ import annotations

import io
import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from seed.cli import main
from seed.datafiles import SeedError, _read_json, _read_yaml
from seed.progress import MIN_ITEMS, Progress
from seed.sync import RateLimiter


def test_json_items_are_streamed_across_chunk_boundaries(tmp_path: Path) -> None:
    items = [{"PK": f"A#{i}", "v": i / 10, "nested": {"list": [1, "two", None, True]}} for i in range(50)]
    path = tmp_path / "x.json"
    path.write_text(json.dumps(items, indent=1))
    for chunk in (1, 7, 64, 1 << 20):
        parsed = [item for _, item in _read_json(path, "x.json", chunk_size=chunk)]
        assert parsed == json.loads(path.read_text(), parse_float=Decimal), chunk
    assert parsed[3]["v"] == Decimal("0.3")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ('{"PK": "a"}', "JSON array"),
        ('[{"PK": "a"} {"PK": "b"}]', "expected ',' or ']' after item [0]"),
        ('[{"PK": "a"},', "unexpected end of file after item [0]"),
        ('[{"PK": "a", "PK": "b"}]', "duplicate attribute 'PK'"),
        ('[{"PK": "a"}] x', "after the closing"),
    ],
)
def test_malformed_json_is_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(SeedError, match="bad.json") as err:
        list(_read_json(path, "bad.json", chunk_size=4))
    assert message in str(err.value)


def test_yaml_items_are_streamed_before_the_rest_of_the_file_is_parsed(tmp_path: Path) -> None:
    # A syntax error far past PyYAML's 64 KB read chunk: a whole-file parse fails before
    # yielding anything; a streaming reader hands out the first items first.
    filler = "".join(f"- {{PK: 'ITEM#{i:05d}', note: '{'x' * 60}'}}\n" for i in range(2000))
    path = tmp_path / "big.yaml"
    path.write_text(filler + "- {PK: [unclosed\n")
    items = _read_yaml(path, "big.yaml")
    first = next(items)
    assert first == (0, {"PK": "ITEM#00000", "note": "x" * 60})
    with pytest.raises(SeedError, match=r"big.yaml: invalid YAML at line 2002"):
        for _ in items:
            pass


@pytest.mark.parametrize(
    "text,expected",
    [
        ("", []),
        ("~\n", []),
        ("- {PK: a, n: 1.5}\n- {PK: b}\n", [(0, {"PK": "a", "n": Decimal("1.5")}), (1, {"PK": "b"})]),
    ],
)
def test_yaml_reader_shapes(tmp_path: Path, text: str, expected: list[Any]) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    assert list(_read_yaml(path, "t.yaml")) == expected


@pytest.mark.parametrize(
    "text,message",
    [
        ("PK: a\n", "a data file is a list of items"),
        ("- {PK: a}\n---\n- {PK: b}\n", "one YAML document"),
        ("- {PK: a, PK: b}\n", "duplicate attribute 'PK'"),
        ("- {PK: a}\n- {PK: b, n: .inf}\n", "'.inf' is not a number DynamoDB can store at line 2"),
        ("- {PK: a, n: 1:30.5}\n", "'1:30.5' is a base-60 number"),
        ("- {PK: a, [n]: 1}\n", "invalid YAML at line 1: found unhashable key"),
    ],
)
def test_malformed_yaml_is_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(SeedError, match=message) as info:
        list(_read_yaml(path, "bad.yaml"))
    assert str(info.value).startswith("bad.yaml: ")


def test_progress_bar_is_off_without_a_tty_and_for_short_loads() -> None:
    assert Progress(io.StringIO()).start("t", 10 * MIN_ITEMS) is None  # StringIO is not a TTY
    assert Progress(io.StringIO(), enabled=True).start("t", MIN_ITEMS - 1) is None
    stream = io.StringIO()
    bar = Progress(stream, enabled=True).start("t", MIN_ITEMS)
    assert bar is not None
    bar.advance(MIN_ITEMS)
    bar.finish()
    assert f"{MIN_ITEMS}/{MIN_ITEMS}" in stream.getvalue() and "100%" in stream.getvalue()


def test_rate_limiter_holds_the_rate() -> None:
    limiter = RateLimiter(rate=200.0, burst_seconds=0.05)  # bucket of 10 units
    started = time.monotonic()
    for _ in range(12):
        limiter.acquire(5)  # 60 units: 10 from the bucket, 50 at 200/s = 0.25 s
    assert time.monotonic() - started >= 0.24


def test_provisioned_table_is_rate_limited_to_a_share_of_its_capacity(
    ns: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ns.create("auxeira-leaderboard-dev")
    code = main(
        [
            "load",
            "--stage",
            "dev",
            "--endpoint-url",
            ns.endpoint,
            "--system",
            "auxeira",
            "--table",
            "leaderboard",
            "--json",
        ]
    )
    assert code == 0
    (table,) = json.loads(capsys.readouterr().out)["tables"]
    # 000: leaderboard "Provisioned (10/3)": half of 3 WCU
    assert table["write_rate_limit"] == 1.5


def test_synthetic_items_follow_003_and_expire(ns: Any, capsys: pytest.CaptureFixture[str]) -> None:
    tables = ["auxeira-startup-profiles-dev", "auxeira-esg-metrics-dev", "auxeira-investments-dev"]
    ns.create(*tables)
    before = time.time()
    code = main(
        [
            "synthetic",
            "--system",
            "auxeira",
            "--stage",
            "dev",
            "--count",
            "4",
            "--ttl-days",
            "2",
            "--endpoint-url",
            ns.endpoint,
            "--json",
        ]
    )
    assert code == 0, capsys.readouterr().err
    result = json.loads(capsys.readouterr().out)
    # per company: one profile, 12 months of ESG history (003: "Generate 12 months"), one investment
    assert [ns.count(t) for t in tables] == [4, 48, 4]
    assert result["written"] == 56
    for table in tables:
        for item in ns.scan(table):
            assert item["is_synthetic"] == {"BOOL": True}
            assert before + 2 * 86400 - 5 <= int(item["expires_at"]["N"]) <= time.time() + 2 * 86400 + 5
            assert "seeded_by" not in item  # load --prune never deletes synthetic data
    for item in ns.scan("auxeira-startup-profiles-dev"):
        # 003 esg_baselines industries and stage_performance stages
        assert item["industry"]["S"] in {"AI/ML", "SaaS", "Fintech", "Healthcare", "Clean Energy"}
        assert item["stage"]["S"] in {"pre-seed", "seed", "series-a", "series-b"}
        assert 0 <= int(item["sse_score"]["N"]) <= 100
    for item in ns.scan("auxeira-esg-metrics-dev"):
        assert 0 <= int(item["overall_esg_score"]["N"]) <= 100


def test_synthetic_is_auxeira_only(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["synthetic", "--system", "stackpro", "--stage", "dev", "--count", "1", "--endpoint-url", "http://127.0.0.1:9"]
    )
    assert code != 0 and "auxeira" in capsys.readouterr().err


def test_synthetic_with_the_same_seed_is_repeatable(ns: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """A re-run with the same --seed writes 0: same items, only expires_at moved (seconds)."""
    tables = ["auxeira-startup-profiles-dev", "auxeira-esg-metrics-dev", "auxeira-investments-dev"]
    ns.create(*tables)
    args = ["synthetic", "--system", "auxeira", "--stage", "dev", "--count", "3", "--seed", "11"]
    args += ["--endpoint-url", ns.endpoint, "--json"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["written"] == 42
    before = ns.snapshot()
    time.sleep(1.1)  # expires_at is whole seconds: make it move
    assert main(args) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["written"], again["unchanged"]) == (0, 42)
    assert ns.snapshot() == before
    # another --ttl-days is a change: every expiry moves by days
    assert main([*args[:-3], "--ttl-days", "3", *args[-3:]]) == 0
    assert json.loads(capsys.readouterr().out)["written"] == 42
