"""The command line: exit codes, acknowledgements, JSON schema, Markdown limits, cost delta."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from review.__main__ import main
from review.diff import review
from review.render import render_markdown
from tests.review.pairs import Pair, table_id

PROD = "Prod/AuxeiraData"


def _remove_users(pair: Pair) -> str:
    with pair.edit("head", PROD) as template:
        users = table_id(template, "users")
        del template["Resources"][users]
    return users


def _cli(pair: Pair, acks: Path, *extra: str) -> list[str]:
    return [
        "diff",
        "--base",
        str(pair.base),
        "--head",
        str(pair.head),
        "--acknowledged",
        str(acks),
        "--no-cost",
        *extra,
    ]


def test_unacknowledged_destructive_change_fails(make_pair, no_acks, capsys):
    pair = make_pair()
    _remove_users(pair)
    assert main(_cli(pair, no_acks, "--format", "json")) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["blocking"] is True and out["exit_code"] == 1
    assert [(d["change"], d["blocking"], d["acknowledged"]) for d in out["destructive"]] == [
        ("table-removed", True, False)
    ]


def test_acknowledged_destructive_change_passes(make_pair, tmp_path, capsys):
    pair = make_pair()
    users = _remove_users(pair)
    acks = tmp_path / "ack.yaml"
    acks.write_text(
        "acknowledged:\n"
        f"  - stack: {PROD}\n    logical_id: {users}\n    reason: users moved to auxeira-users-v2, backup taken\n"
        "  - stack: auxeira-prod-data\n    logical_id: SomethingElse\n    reason: stale entry\n"
    )
    assert main(_cli(pair, acks, "--format", "json")) == 0
    out = json.loads(capsys.readouterr().out)
    (entry,) = out["destructive"]
    assert entry["acknowledged"] is True and entry["blocking"] is False
    assert entry["acknowledgement"] == "users moved to auxeira-users-v2, backup taken"
    assert out["unused_acknowledgements"] == [
        {"stack": "auxeira-prod-data", "logical_id": "SomethingElse", "reason": "stale entry"}
    ]


def test_acknowledgement_by_stack_name_matches_only_that_stack(make_pair, tmp_path):
    pair = make_pair()
    for stack in (PROD, "Staging/AuxeiraData"):
        with pair.edit("head", stack) as template:
            del template["Resources"][table_id(template, "users")]
    users = table_id(pair.template("base", PROD), "users")
    acks = tmp_path / "ack.yaml"
    acks.write_text(f"acknowledged:\n  - {{stack: auxeira-prod-data, logical_id: {users}, reason: planned}}\n")
    report = review(pair.base, pair.head, acknowledged=acks, with_cost=False)
    assert sorted((f.stage, f.acknowledged, f.blocking) for f in report.by_level("destructive")) == [
        ("prod", True, False),
        ("staging", False, True),
    ]
    assert report.exit_code == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("acknowledged:\n  - {stack: Prod/AuxeiraData, logical_id: X}\n", "field 'reason': required"),
        ("acknowledged:\n  - {stack: S, logical_id: X, reason: r, ticket: 1}\n", "unknown key 'ticket'"),
        ("- {stack: S, logical_id: X, reason: r}\n", "one top-level key 'acknowledged'"),
        ("acknowledged: [\n", "invalid YAML"),
    ],
)
def test_malformed_acknowledgements_are_input_errors(make_pair, tmp_path, capsys, text, message):
    acks = tmp_path / "ack.yaml"
    acks.write_text(text)
    assert main(_cli(make_pair(), acks)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "acknowledged:\n  - {stack: S, logical_id: X, reason: r}\n  - {stack: S, logical_id: ' ', reason: r}\n",
            "acknowledged[1]: field 'logical_id': required, a non-empty string",
        ),
        (
            "acknowledged:\n  - {stack: S, logical_id: X, reasons: r}\n",
            "acknowledged[0]: field 'reason': required field is missing "
            "(also: acknowledged[0] field 'reasons': unknown key 'reasons'; did you mean 'reason'?)",
        ),
        (
            "acknowledged:\n  - [S, X, r]\n",
            "acknowledged[0]: expected a mapping with stack, logical_id and reason, got a list",
        ),
    ],
)
def test_malformed_acknowledgement_is_one_error_line_naming_file_item_and_field(
    make_pair, tmp_path, capsys, text, line
):
    acks = tmp_path / "ack.yaml"
    acks.write_text(text)
    assert main(_cli(make_pair(), acks)) == 2
    assert capsys.readouterr().err.splitlines() == [f"error: {acks}: {line}"]


def test_missing_assembly_is_an_input_error(tmp_path, no_acks, capsys):
    code = main(["diff", "--base", str(tmp_path / "nope"), "--head", str(tmp_path), "--acknowledged", str(no_acks)])
    assert code == 2 and "manifest.json missing" in capsys.readouterr().err


def test_unknown_stage_is_an_input_error(make_pair, no_acks, capsys):
    assert main(_cli(make_pair(), no_acks, "--stage", "qa")) == 2
    assert "unknown stage 'qa'" in capsys.readouterr().err


def test_committed_acknowledgements_file_is_valid():
    from review.acknowledged import DEFAULT_PATH, Acknowledgements

    assert DEFAULT_PATH.is_file()
    Acknowledgements.load(DEFAULT_PATH)  # raises TableforgeError when malformed


def test_json_schema_is_stable(make_pair, no_acks, capsys):
    pair = make_pair()
    _remove_users(pair)
    with pair.edit("head", PROD) as template:
        replica = template["Resources"][table_id(template, "projects")]["Properties"]["Replicas"][0]
        replica["DeletionProtectionEnabled"] = False
    main(_cli(pair, no_acks, "--format", "json"))
    out = json.loads(capsys.readouterr().out)
    assert {"destructive", "risky", "safe", "security", "cost_delta"} <= set(out)
    assert out["schema_version"] == 1
    for level in ("destructive", "risky", "safe"):
        for entry in out[level]:
            assert {"stack", "logical_id", "table", "reason", "change", "stage", "resource_type"} <= set(entry)
    assert out["destructive"][0]["table"] == "users" and out["risky"][0]["table"] == "projects"
    assert out["summary"] == {
        "destructive": 1,
        "blocking": 1,
        "acknowledged": 0,
        "risky": 1,
        "safe": len(out["safe"]),
        "security": 0,
    }


def test_markdown_puts_destructive_first_and_truncates_under_the_limit(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", PROD) as template:
        for resource in template["Resources"].values():
            if resource["Type"] == "AWS::DynamoDB::GlobalTable":
                resource["Properties"]["Replicas"][0]["Tags"].append({"Key": "owner", "Value": "x" * 200})
        del template["Resources"][table_id(template, "users")]
    report = review(pair.base, pair.head, acknowledged=no_acks, with_cost=False)
    full = render_markdown(report)
    assert full.index("### Destructive") < full.index("### Risky") < full.index("### Safe")
    assert "**BLOCKING**" in full and "Truncated" not in full
    short = render_markdown(report, limit=4000)
    assert len(short) < 4000
    assert "table-removed" in short and "**Truncated**" in short
    assert "not shown" in short and "safe" in short.split("**Truncated**")[1]
    assert len(render_markdown(report)) < 65_000


def test_cost_delta_of_pitr_off_matches_the_price_list(make_pair, no_acks):
    """esg-reports holds 2.0 GB (000's usage table); PITR costs $0.20 per GB-month (PRICING.md)."""
    pytest.importorskip("cost.api")
    pair = make_pair()
    with pair.edit("head", PROD) as template:
        replica = template["Resources"][table_id(template, "esg-reports")]["Properties"]["Replicas"][0]
        replica["PointInTimeRecoverySpecification"] = {"PointInTimeRecoveryEnabled": False}
    report = review(pair.base, pair.head, acknowledged=no_acks, stage="prod")
    delta = report.cost_delta
    assert delta["available"] is True
    (entry,) = delta["tables"]
    assert entry["table"] == "esg-reports" and entry["change"] == "changed"
    expected = -Decimal("2.0") * Decimal("0.20")
    assert Decimal(entry["delta_monthly_usd"]["min"]) == expected == Decimal(entry["delta_monthly_usd"]["max"])
    assert Decimal(delta["total"]["delta_monthly_usd"]["min"]) == expected
    assert "-$0.40" in render_markdown(report)


def test_everything_new_still_fits_a_pr_comment(pristine, tmp_path, no_acks):
    """A base that predates the app is an empty assembly: every resource is new, the comment still fits."""
    from review.synth_ref import synthesize

    source = tmp_path / "old-checkout"
    source.mkdir()
    base = synthesize(source, tmp_path / "base.out", label="base")  # no app.py: no CLI call at all
    report = review(base, pristine, acknowledged=no_acks, with_cost=False)
    assert report.exit_code == 0 and not report.by_level("destructive")
    assert len(report.by_level("safe")) > 300  # 108 tables, their parameters, roles, alarms...
    text = render_markdown(report)
    assert len(text) < 65_000
    assert text.count("`table-added`") == len([f for f in report.findings if f.change == "table-added"])
