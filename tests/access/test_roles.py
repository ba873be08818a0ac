"""Every role's effective access, read from the SYNTHESIZED policies, equals the matrix in expected.py."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.access import policies
from tests.access.expected import EXPECTED, LEADING_KEYS, PRINCIPALS, RW, TENANT_TAGS
from tests.conftest import Synthesized

STAGES = ("dev", "staging", "prod")
SYSTEMS = tuple(EXPECTED)


def _stack(system: str, stage: str) -> str:
    return f"{stage.capitalize()}/{system.capitalize()}Access"


def _effective(synth: Synthesized, system: str, stage: str) -> dict[str, dict[str, set[str]]]:
    template = synth.template(_stack(system, stage))
    return {
        name.removeprefix(f"{system}-").removesuffix(f"-{stage}"): policies.effective_dynamodb(
            role["statements"], system=system, stage=stage
        )
        for name, role in policies.roles(template).items()
    }


def _diff(actual: dict[str, dict[str, set[str]]], expected: dict[str, dict[str, frozenset[str]]]) -> list[str]:
    """Human-readable differences: extra or missing roles, resources and actions."""
    out = []
    for consumer in sorted(set(actual) | set(expected)):
        if consumer not in expected:
            out.append(f"unexpected role {consumer}")
            continue
        if consumer not in actual:
            out.append(f"missing role {consumer}")
            continue
        got, want = actual[consumer], expected[consumer]
        for resource in sorted(set(got) | set(want)):
            extra = set(got.get(resource, ())) - set(want.get(resource, ()))
            missing = set(want.get(resource, ())) - set(got.get(resource, ()))
            if extra:
                out.append(f"{consumer}: {resource} grants more than the matrix: {sorted(extra)}")
            if missing:
                out.append(f"{consumer}: {resource} lacks {sorted(missing)}")
    return out


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("system", SYSTEMS)
def test_every_role_matches_the_matrix(synth: Synthesized, system: str, stage: str) -> None:
    problems = _diff(_effective(synth, system, stage), EXPECTED[system])
    assert not problems, "\n".join(problems)


def test_an_over_broad_grant_is_caught(synth: Synthesized) -> None:
    """Widen one synthesized policy by hand: the comparison must notice each way of doing it."""
    template = synth.template("Prod/AuxeiraAccess")
    base = _effective(synth, "auxeira", "prod")
    assert not _diff(base, EXPECTED["auxeira"])

    def widened(mutate: Any) -> list[str]:
        changed = copy.deepcopy(template)
        for resource in changed["Resources"].values():
            if resource["Type"] == "AWS::IAM::ManagedPolicy" and "Analyst" in json.dumps(
                resource["Properties"]["Roles"]
            ):
                mutate(resource["Properties"]["PolicyDocument"]["Statement"])
        roles = policies.roles(changed)
        analyst = roles["auxeira-analyst-prod"]["statements"]
        actual = {**base, "analyst": policies.effective_dynamodb(analyst, system="auxeira", stage="prod")}
        return _diff(actual, EXPECTED["auxeira"]) + policies.wildcard_problems(analyst)

    users_arn = {"Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/auxeira-users-prod"}
    # An extra action on a granted table.
    assert widened(lambda s: s[0]["Action"].append("dynamodb:DeleteItem"))
    # A table the analyst must never read (password hashes).
    assert any("users" in p for p in widened(lambda s: s[0]["Resource"].append(users_arn)))
    # Wildcards of every kind.
    assert widened(lambda s: s.append({"Effect": "Allow", "Action": "dynamodb:*", "Resource": users_arn}))
    assert widened(lambda s: s.append({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}))
    index_star = {"Fn::Sub": users_arn["Fn::Sub"] + "/index/*"}
    assert widened(lambda s: s.append({"Effect": "Allow", "Action": "dynamodb:Query", "Resource": index_star}))


def test_tenant_scoped_grants_carry_leading_keys(synth: Synthesized) -> None:
    """002's user-scoped keys: every statement on a tenant-scoped table has the condition, and only those."""
    checked = 0
    for stage in STAGES:
        for system in SYSTEMS:
            for name, role in policies.roles(synth.template(_stack(system, stage))).items():
                consumer = name.removeprefix(f"{system}-").removesuffix(f"-{stage}")
                for action, resource, condition in policies.grants(role["statements"], system=system, stage=stage):
                    if not action.startswith("dynamodb:"):
                        continue
                    expected = LEADING_KEYS.get((system, consumer, resource))
                    if expected is None:
                        assert condition is None, f"{name} {action} {resource}: unexpected condition {condition}"
                    else:
                        assert condition == {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [expected]}}, (
                            f"{name} {action} {resource}: {condition}"
                        )
                        checked += 1
    # express-api: user-profiles and notifications, 7 read-write actions each, in 3 stages.
    assert checked == 2 * len(RW) * 3


ROOT_ARN = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}


def _check_principal(statement: dict[str, Any], kind: str) -> None:
    principal = statement["Principal"]
    assert statement["Action"] == "sts:AssumeRole"
    if kind == "lambda":
        assert principal == {"Service": "lambda.amazonaws.com"}
        assert "Condition" not in statement
    elif kind == "ecs_task":
        assert principal == {"Service": "ecs-tasks.amazonaws.com"}
        assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    else:  # people in the account
        assert kind == "account"
        assert principal == {"AWS": ROOT_ARN}
        assert statement["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


@pytest.mark.parametrize("system", SYSTEMS)
def test_trust_fits_the_consumer(synth: Synthesized, system: str) -> None:
    roles = policies.roles(synth.template(_stack(system, "prod")))
    assert {name.removeprefix(f"{system}-").removesuffix("-prod") for name in roles} == set(EXPECTED[system])
    for name, role in roles.items():
        consumer = name.removeprefix(f"{system}-").removesuffix("-prod")
        statements = role["trust"]["Statement"]
        _check_principal(statements[0], PRINCIPALS[system][consumer])
        own_arn = {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{name}"}
        sts = [s for s in role["statements"] if any(a.startswith("sts:") for a in s["Action"])]
        tag = TENANT_TAGS.get((system, consumer))
        if tag is None:
            assert len(statements) == 1
            assert not sts
            continue
        # Tenant-scoped: the role re-assumes itself per request with the tenant's tag, and only that tag.
        assert statements[1]["Principal"] == {"AWS": ROOT_ARN}
        assert statements[1]["Action"] == ["sts:AssumeRole", "sts:TagSession"]
        assert statements[1]["Condition"] == {
            "ArnEquals": {"aws:PrincipalArn": own_arn},
            "Null": {f"aws:RequestTag/{tag}": "false"},
        }
        [session] = sts
        assert session["Action"] == ["sts:AssumeRole", "sts:TagSession"]
        assert session["Resource"] == [own_arn]
        assert session["Condition"] == {"ForAllValues:StringEquals": {"aws:TagKeys": [tag]}}


def _actions_anywhere(node: Any) -> Any:
    """Every Action value in a template, resource policies (key, topic) included."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("Action", "NotAction"):
                yield from value if isinstance(value, list) else [value]
            else:
                yield from _actions_anywhere(value)
    elif isinstance(node, list):
        for item in node:
            yield from _actions_anywhere(item)


def test_no_wildcards_anywhere(synth: Synthesized) -> None:
    """Done-when of issue 4: no identity policy has a wildcard action or a * resource, and nothing
    anywhere grants a wildcard DynamoDB action. (A KMS key or SNS topic policy's Resource "*"
    means "this key/topic" and is not an identity policy, so only its actions are checked.)"""
    found = []
    seen = 0
    for stack, template in synth.templates.items():
        for action in _actions_anywhere(template.get("Resources", {})):
            if isinstance(action, str) and action.lower().startswith("dynamodb:") and ("*" in action or "?" in action):
                found.append(f"{stack}: {action}")
        for logical_id, resource in template.get("Resources", {}).items():
            props = resource.get("Properties", {})
            documents = []
            if resource["Type"] in policies.POLICY_TYPES:
                documents.append(props["PolicyDocument"])
            if resource["Type"] == "AWS::IAM::Role":
                documents.extend(p["PolicyDocument"] for p in props.get("Policies", []))
            for document in documents:
                seen += 1
                found += [f"{stack} {logical_id} {p}" for p in policies.wildcard_problems(document["Statement"])]
    assert seen >= 3 * (len(EXPECTED["auxeira"]) + len(EXPECTED["stackpro"]) + len(EXPECTED["transcription"]))
    assert not found, "\n".join(found)


def test_no_kms_without_a_customer_managed_key(synth: Synthesized) -> None:
    """The default stages use AWS-owned or AWS-managed keys: no role gets any kms: action."""
    for system in SYSTEMS:
        for stage in STAGES:
            for role in policies.roles(synth.template(_stack(system, stage))).values():
                assert not [s for s in role["statements"] if any(str(a).startswith("kms:") for a in s["Action"])]


def test_synthetic_data_generator_writes_only_tables_whose_items_expire(synth: Synthesized) -> None:
    """003: synthetic rows carry expires_at and are cleaned up; here TTL on expires_at does it."""
    ttl = {}
    for resource in synth.template("Prod/AuxeiraData")["Resources"].values():
        if resource["Type"] == "AWS::DynamoDB::GlobalTable":
            props = resource["Properties"]
            ttl[props["TableName"]] = props.get("TimeToLiveSpecification")
    role = policies.roles(synth.template("Prod/AuxeiraAccess"))["auxeira-synthetic-data-generator-prod"]
    granted = policies.effective_dynamodb(role["statements"], system="auxeira", stage="prod")
    assert granted  # seven tables, Put only (checked against the matrix above)
    for table, actions in granted.items():
        assert actions == {"PutItem"}
        assert ttl[f"auxeira-{table}-prod"] == {"AttributeName": "expires_at", "Enabled": True}, table
