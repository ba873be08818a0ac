"""IAM statements per role, as comparable atoms, and who queries which index.

A statement is split into atoms (effect, action, resource, condition), so base
and head compare per role however CDK happens to merge or order statements
(``@aws-cdk/aws-iam:minimizePolicies`` merges them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from review.refs import Resolver
from tableforge.assembly import StackTemplate

ROLE = "AWS::IAM::Role"
POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy")
IAM_TYPES = (ROLE, *POLICY_TYPES)
#: Actions that read through an index: whoever may call them may be querying it.
_INDEX_READ_ACTIONS = ("dynamodb:query", "dynamodb:scan")
_INDEX_ARN = re.compile(r"table/(?P<table>[^/]+)/index/(?P<index>[^/]+)$")
#: Actions that read a DynamoDB stream's records.
_STREAM_READ_ACTIONS = ("dynamodb:getrecords", "dynamodb:getsharditerator", "dynamodb:describestream")
#: Resources that consume a stream: their source ARN property.
EVENT_SOURCES = {"AWS::Lambda::EventSourceMapping": "EventSourceArn", "AWS::Pipes::Pipe": "Source"}
_STREAM_ARN = re.compile(r":table/(?P<table>[^/]+)/stream/")
#: ``RoleStatements.kind`` of a table's resource-based policy.
RESOURCE_POLICY = "resource policy of table"
#: IAM's wildcards, in actions and in resource ARNs.
_WILDCARDS = ("*", "?")
#: The prefixes of a NotAction/NotResource atom and of a trust-policy atom's resource.
NOT = "NOT "
TRUST = "trust "
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


def _unplaceheld(text: str) -> str:
    """``${AWS::Region}`` and other rendered references left out: they are values, not wildcards."""
    return _PLACEHOLDER.sub("", text)


@dataclass(frozen=True)
class Atom:
    effect: str
    action: str
    resource: str
    condition: str = ""

    @property
    def trust(self) -> bool:
        """A trust-policy atom: ``resource`` is ``trust <principal type>:<principal>``."""
        return self.resource.startswith(TRUST)

    @property
    def wildcard(self) -> bool:
        """The action or resource matches more than it names: IAM's ``*`` and ``?`` wildcards, or
        a ``NotAction``/``NotResource`` (everything except what it lists)."""
        # Actions are compared lower-cased (IAM action names are case-insensitive), NotAction too.
        action = self.action.startswith(NOT.lower()) or any(c in self.action for c in _WILDCARDS)
        if self.trust:
            return action
        resource = self.resource.startswith(NOT) or any(c in _unplaceheld(self.resource) for c in _WILDCARDS)
        return action or resource


@dataclass
class RoleStatements:
    """Every atom granted to one role (or one unattached policy), or by one table's resource
    policy in one replica (``kind`` says which; its principals are trust atoms, as a role's)."""

    stack: StackTemplate
    logical_id: str
    name: str
    atoms: dict[Atom, set[str]] = field(default_factory=dict)
    kind: str = "role"
    #: The table a resource policy belongs to (its physical name).
    table: str | None = None

    @property
    def beyond(self) -> str:
        """What a principal outside the account gets: a role's trust, a table's access."""
        return "trust beyond the account" if self.kind == "role" else "access beyond the account"

    def add(self, atoms: Iterable[Atom], policy: str) -> None:
        for atom in atoms:
            self.atoms.setdefault(atom, set()).add(policy)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def statement_atoms(document: Any, stack: StackTemplate, resolver: Resolver) -> Iterator[Atom]:
    if not isinstance(document, dict):
        return
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, dict):
            continue
        effect = str(statement.get("Effect", "Allow"))
        actions = [str(a) for a in _as_list(statement.get("Action"))]
        actions += [NOT + str(a) for a in _as_list(statement.get("NotAction"))]
        resources = [resolver.render(r, stack) for r in _as_list(statement.get("Resource"))]
        resources += [NOT + resolver.render(r, stack) for r in _as_list(statement.get("NotResource"))]
        condition = json.dumps(statement["Condition"], sort_keys=True) if "Condition" in statement else ""
        for action in actions or [""]:
            for resource in resources or [""]:
                # IAM action names are case-insensitive.
                yield Atom(effect, action.lower(), resource, condition)


def _principals(principal: Any, stack: StackTemplate, resolver: Resolver) -> Iterator[str]:
    """``AWS:<arn or account>``, ``Service:<name>``, ``Federated:<provider>``... or ``*``, one per principal."""
    if principal is None:
        return
    if not isinstance(principal, dict):
        yield "*" if principal == "*" else "?:" + resolver.render(principal, stack)
        return
    for kind, values in sorted(principal.items()):
        for value in _as_list(values):
            yield f"{kind}:{resolver.render(value, stack)}"


def _trust_atoms(document: Any, stack: StackTemplate, resolver: Resolver) -> Iterator[Atom]:
    """One atom per (action, principal) of a role's trust policy; the condition kept as declared."""
    if not isinstance(document, dict):
        return
    for statement in _as_list(document.get("Statement")):
        if isinstance(statement, dict):
            condition = json.dumps(statement["Condition"], sort_keys=True) if "Condition" in statement else ""
            principals = list(_principals(statement.get("Principal"), stack, resolver))
            principals += [NOT + p for p in _principals(statement.get("NotPrincipal"), stack, resolver)]
            for action in _as_list(statement.get("Action")):
                for principal in principals:
                    yield Atom(str(statement.get("Effect", "Allow")), str(action).lower(), TRUST + principal, condition)


def roles_of(stacks: Mapping[str, StackTemplate], resolver: Resolver) -> dict[tuple[str, str], RoleStatements]:
    """(stack key, role logical ID) -> the role's statements, over all IAM resources.

    ``stacks`` maps the key a stack is matched by between base and head (its CloudFormation
    stack name) to the stack.
    """
    roles: dict[tuple[str, str], RoleStatements] = {}
    keys = {id(stack): key for key, stack in stacks.items()}

    def role(stack: StackTemplate, logical_id: str, name: str, **kind: Any) -> RoleStatements:
        key = (keys[id(stack)], logical_id)
        if key not in roles:
            roles[key] = RoleStatements(stack, logical_id, name, **kind)
        return roles[key]

    for stack in stacks.values():
        resources = stack.template.get("Resources", {})
        for logical_id, resource in stack.resources(ROLE):
            props = resource.get("Properties", {})
            entry = role(stack, logical_id, resolver.render(props.get("RoleName", logical_id), stack))
            entry.add(_trust_atoms(props.get("AssumeRolePolicyDocument"), stack, resolver), f"{logical_id} (trust)")
            for policy in _as_list(props.get("Policies")):
                if isinstance(policy, dict):
                    label = f"{logical_id}/{policy.get('PolicyName', '?')}"
                    entry.add(statement_atoms(policy.get("PolicyDocument"), stack, resolver), label)
            for arn in _as_list(props.get("ManagedPolicyArns")):
                entry.add([Atom("Attach", "managed-policy", resolver.render(arn, stack))], logical_id)
        for logical_id, resource in stack.resources(*POLICY_TYPES):
            props = resource.get("Properties", {})
            atoms = list(statement_atoms(props.get("PolicyDocument"), stack, resolver))
            targets = _as_list(props.get("Roles")) + _as_list(props.get("RoleName"))
            attached = False
            for target in targets:
                ref = target.get("Ref") if isinstance(target, dict) else None
                if isinstance(ref, str) and resources.get(ref, {}).get("Type") == ROLE:
                    role_props = resources[ref].get("Properties", {})
                    name = resolver.render(role_props.get("RoleName", ref), stack)
                    role(stack, ref, name).add(atoms, logical_id)
                else:
                    name = resolver.render(target, stack)
                    role(stack, f"role:{name}", name).add(atoms, logical_id)
                attached = True
            if not attached:
                role(stack, logical_id, f"{logical_id} (not attached to a role)").add(atoms, logical_id)
        for table in stack.table_models():
            for replica in table.replicas:
                if replica.resource_policy is None:
                    continue
                # who the policy lets in, and to do what: the same atoms as a role's trust policy
                label = f"{table.logical_id}/ResourcePolicy" + (f"@{replica.region}" if replica.region else "")
                name = resolver.render(table.table_name, stack)
                where = f" in {replica.region}" if replica.region else ""
                entry = role(stack, label, name + where, kind=RESOURCE_POLICY, table=name)
                entry.add(_trust_atoms(replica.resource_policy, stack, resolver), label)
    return roles


def index_readers(roles: Iterable[RoleStatements]) -> dict[tuple[str, str], list[str]]:
    """(table name, index name or pattern) -> the roles allowed to Query/Scan it."""
    readers: dict[tuple[str, str], list[str]] = {}
    for entry in roles:
        for atom in entry.atoms:
            if atom.effect != "Allow" or atom.action.startswith(NOT.lower()):
                continue
            if not any(fnmatchcase(action, atom.action) for action in _INDEX_READ_ACTIONS):
                continue
            match = _INDEX_ARN.search(atom.resource)
            if match:
                label = f"{entry.stack.display_name}/{entry.name}"
                names = readers.setdefault((match["table"], match["index"]), [])
                if label not in names:
                    names.append(label)
    return readers


def readers_of(readers: dict[tuple[str, str], list[str]], table: str, index: str) -> list[str]:
    """The roles whose grants cover ``table``'s ``index`` (exactly or by a wildcard)."""
    found: list[str] = []
    for (table_pattern, index_pattern), names in readers.items():
        if fnmatchcase(table, table_pattern) and fnmatchcase(index, index_pattern):
            found += [n for n in names if n not in found]
    return found


def _stream_arn(table: str) -> str:
    """A concrete ARN of ``table``'s stream, for matching against grant patterns."""
    return f"arn:aws:dynamodb:us-east-1:000000000000:table/{table}/stream/2000-01-01T00:00:00.000"


def _pattern(resource: str) -> str:
    """A rendered resource as an fnmatch pattern: each ``${...}`` reference stands for any value."""
    return _PLACEHOLDER.sub("*", resource).replace("[", "[[]")


def stream_readers(
    roles: Iterable[RoleStatements], stacks: Iterable[StackTemplate], resolver: Resolver
) -> Callable[[str], list[str]]:
    """table name -> who reads its stream: event source mappings and pipes on it, and the roles
    allowed GetRecords/GetShardIterator/DescribeStream on it (exactly or by a wildcard)."""
    grants: list[tuple[str, str]] = []
    for entry in roles:
        for atom in entry.atoms:
            if atom.effect != "Allow" or atom.trust or atom.resource.startswith(NOT):
                continue
            if atom.action.startswith(NOT.lower()) or not any(
                fnmatchcase(action, atom.action) for action in _STREAM_READ_ACTIONS
            ):
                continue
            label = f"{entry.stack.display_name}/{entry.name}"
            grants.append((_pattern(atom.resource), label))
    sources: list[tuple[str, str]] = []
    for stack in stacks:
        for logical_id, resource in stack.resources(*EVENT_SOURCES):
            arn = (resource.get("Properties") or {}).get(EVENT_SOURCES[str(resource.get("Type"))])
            match = _STREAM_ARN.search(resolver.render(arn, stack))
            if match:
                sources.append((match["table"], f"{stack.display_name}/{logical_id} ({resource.get('Type')})"))

    def readers(table: str) -> list[str]:
        found = [label for name, label in sources if name == table]
        found += [label for pattern, label in grants if fnmatchcase(_stream_arn(table), pattern)]
        return list(dict.fromkeys(found))

    return readers


#: Condition keys that pin an assume-role call to one account, and the operators that compare them.
_ACCOUNT_KEYS = ("aws:principalaccount", "aws:sourceaccount")
_EQUALS = ("stringequals", "arnequals")
_OWN_ACCOUNT = "${AWS::AccountId}"
#: The account of an IAM/STS principal ARN (``${AWS::AccountId}`` counts as one value).
_ACCOUNT_IN = re.compile(r":(?:iam|sts)::(?P<account>\$\{[^}]*\}|[^:]*):")


def _own(value: str, account: str | None) -> bool:
    return value == _OWN_ACCOUNT or (account is not None and value == account)


def _pinned_to_account(condition: str, account: str | None) -> bool:
    """The statement's condition allows only this account's principals (aws:PrincipalAccount or
    aws:SourceAccount equal to it)."""
    if not condition:
        return False
    try:
        blocks = json.loads(condition)
    except ValueError:
        return False
    for operator, tests in (blocks or {}).items():
        if str(operator).lower() not in _EQUALS or not isinstance(tests, dict):
            continue
        for key, values in tests.items():
            if str(key).lower() in _ACCOUNT_KEYS:
                rendered = [
                    v if isinstance(v, str) else _OWN_ACCOUNT if v == {"Ref": "AWS::AccountId"} else "?"
                    for v in _as_list(values)
                ]
                if rendered and all(_own(v, account) for v in rendered):
                    return True
    return False


def beyond_account(atom: Atom, account: str | None) -> str | None:
    """Why an Allow trust atom lets someone outside the stack's account assume the role, or None.

    Within the account: the account itself or its principals (``${AWS::AccountId}`` or the
    stack's literal account) and AWS services (which act for resources of this account).
    Beyond it: anyone (``*``), other accounts, federated identities (web identity, SAML) and
    anything the review cannot place, such as a parameter or an env-agnostic literal account.
    """
    if atom.effect != "Allow" or not atom.trust:
        return None
    principal = atom.resource[len(TRUST) :]
    if principal.startswith(NOT):
        return f"NotPrincipal {principal[len(NOT) :]}: every principal except that one, in any account"
    kind, _, value = principal.partition(":") if principal != "*" else ("AWS", "", "*")
    if kind == "Service":
        return None
    if kind == "AWS":
        if value == "*":
            if _pinned_to_account(atom.condition, account):
                return None
            return "Principal *: anyone in any AWS account"
        match = _ACCOUNT_IN.search(value)
        other = match["account"] if match else value
        if _own(other, account):
            return None
        if account is None and re.fullmatch(r"\d{12}", other):
            return f"account {other} (the stack's own account is not fixed at synth, so it may be another one)"
        if _PLACEHOLDER.fullmatch(other):
            return f"{value}: a reference the review cannot resolve, so any account as far as it can tell"
        return f"{value}: account {other}, not this one"
    if kind == "Federated":
        return f"federated identities of {value}: users outside the account's IAM"
    return f"{principal}: a principal outside the account"
