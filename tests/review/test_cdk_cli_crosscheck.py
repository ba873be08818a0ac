"""Cross-check with the real CDK CLI: whatever ``cdk diff`` calls changed, our report lists too.

``cdk diff --template FILE`` compares FILE (taken as the deployed template) with the
stack in ``--app`` (a pre-synthesized assembly works offline: no credentials are
needed). So ``--app`` is the head assembly and ``--template`` the base template;
the other way round the CLI reports every addition as a removal. The three pairs
run as three CLI processes in parallel (the CLI diffs one ``--template`` per run).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from review.diff import review
from tableforge.cdk_env import cdk_env
from tests.review.pairs import Pair, reader_role, rename_logical_id, table_id, template_path, to_classic_table

ROOT = Path(__file__).resolve().parents[2]
#: The pinned CLI's entry point (what ``npx --no-install cdk`` runs), called through node directly.
CDK = ROOT / "node_modules" / "aws-cdk" / "bin" / "cdk"
NODE = shutil.which("node")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_RESOURCE_LINE = re.compile(r"^\[(?P<op>[-+~←→])\]\s+(?P<type>(AWS|Custom)::\S+)\s+(?P<rest>.*)$")


def _edit_prod_auxeira(pair: Pair) -> str:
    stack = "Prod/AuxeiraData"
    with pair.edit("head", stack) as template:
        res = template["Resources"]
        del res[table_id(template, "projects")]
        res[table_id(template, "esg-reports")]["Properties"]["Replicas"][0]["PointInTimeRecoverySpecification"] = {
            "PointInTimeRecoveryEnabled": False
        }
        res[table_id(template, "leaderboard")]["Properties"]["Replicas"][0]["Tags"].append(
            {"Key": "owner", "Value": "growth"}
        )
        events = res[table_id(template, "events")]["Properties"]
        events["KeySchema"] = [{"AttributeName": "event_id", "KeyType": "HASH"}]
        events["AttributeDefinitions"].append({"AttributeName": "event_id", "AttributeType": "S"})
        res.update(reader_role(table_id(template, "users"), "email-index"))
        rename_logical_id(template, table_id(template, "startup-activities"), "StartupActivitiesTableV2ABCD1234")
    return stack


def _edit_dev_transcription(pair: Pair) -> str:
    stack = "Dev/TranscriptionData"
    with pair.edit("base", stack) as template:
        users = table_id(template, "users")
        template["Resources"][users] = to_classic_table(template["Resources"][users])
    with pair.edit("head", stack) as template:
        res = template["Resources"]
        usage = res[table_id(template, "usage")]["Properties"]
        usage["TimeToLiveSpecification"] = {"AttributeName": "purge_at", "Enabled": True}
        transactions = res[table_id(template, "transactions")]["Properties"]
        transactions["BillingMode"] = "PROVISIONED"
        transactions.pop("WriteOnDemandThroughputSettings", None)
        transactions["WriteProvisionedThroughputSettings"] = {
            "WriteCapacityAutoScalingSettings": {
                "MaxCapacity": 10,
                "MinCapacity": 2,
                "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70},
            }
        }
        transactions["Replicas"][0].pop("ReadOnDemandThroughputSettings", None)
        transactions["Replicas"][0]["ReadProvisionedThroughputSettings"] = {"ReadCapacityUnits": 5}
    return stack


def _edit_staging_stackpro(pair: Pair) -> str:
    stack = "Staging/StackproData"
    with pair.edit("head", stack) as template:
        res = template["Resources"]
        res[table_id(template, "messages")]["Properties"]["Replicas"][0]["DeletionProtectionEnabled"] = False
        conversations = res[table_id(template, "conversations")]["Properties"]
        conversations["TableName"] += "-v2"
        profiles = res[table_id(template, "user-profiles")]
        profiles["DeletionPolicy"] = profiles["UpdateReplacePolicy"] = "Delete"
    return stack


def _cli_changes(output: str, known: set[str]) -> dict[str, str]:
    """logical ID -> the CLI's operation, from the Resources section of ``cdk diff``."""
    changes = {}
    for line in _ANSI.sub("", output).splitlines():
        match = _RESOURCE_LINE.match(line.strip())
        if match:
            ids = [token for token in match["rest"].split() if token in known]
            assert ids, f"no known logical ID in CLI line: {line!r}"
            changes[ids[-1]] = match["op"]
    return changes


@pytest.mark.skipif(not CDK.exists() or NODE is None, reason="the pinned CDK CLI is not installed (make deps)")
def test_every_resource_the_cdk_cli_reports_is_in_our_report(make_pair, no_acks):
    pairs = {}
    for edit in (_edit_prod_auxeira, _edit_dev_transcription, _edit_staging_stackpro):
        pair = make_pair()
        pairs[edit(pair)] = pair
    env = cdk_env()
    # No credentials: make sure nothing could reach an account even if the machine had some.
    for key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(key, None)
    processes = {
        stack: subprocess.Popen(
            [
                str(NODE),
                str(CDK),
                "diff",
                "--no-notices",
                "--app",
                str(pair.head),
                "--template",
                str(template_path(pair.base, stack)),
                stack,
            ],
            cwd=pair.head.parent,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for stack, pair in pairs.items()
    }
    for stack, process in processes.items():
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0, output
        pair = pairs[stack]
        base, head = pair.template("base", stack), pair.template("head", stack)
        known = set(base["Resources"]) | set(head["Resources"])
        cli = _cli_changes(output, known)
        assert len(cli) >= 3, output  # the CLI saw the edits: the comparison is not vacuous

        report = review(pair.base, pair.head, acknowledged=no_acks, with_cost=False)
        ours = {f.logical_id for f in report.findings if f.stack == stack}
        ours |= {f.detail.get("new_logical_id") for f in report.findings if f.stack == stack}
        ours |= {s.logical_id for s in report.security if s.stack == stack}
        missing = {logical_id: op for logical_id, op in cli.items() if logical_id not in ours}
        assert not missing, f"cdk diff reports {missing} in {stack}, our report does not\n{output}"
        # And the other way round for tables: we flag no table the CLI thinks unchanged.
        our_tables = {
            f.logical_id for f in report.findings if f.stack == stack and f.resource_type.startswith("AWS::DynamoDB::")
        }
        assert our_tables <= set(cli), (our_tables - set(cli), output)
