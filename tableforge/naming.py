"""Every physical name the app emits, and the AWS limit each one must meet.

Stacks, tables, roles, topics, budgets, dashboards, alarms and SSM parameters are
named here and nowhere else; constructs, policies and the seed loader take the
names (through :mod:`tableforge.resolve`) instead of rebuilding them from parts.

Each name kind has its AWS limit, with the document that states it, so that a
name the service would reject fails before synth instead of during a deploy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class NameLimit:
    """What AWS accepts for one kind of name."""

    kind: str
    max_length: int
    pattern: re.Pattern[str]
    #: The allowed characters in words, for the error message.
    allowed: str
    #: The API and field whose documentation states the limit.
    source: str

    @property
    def service(self) -> str:
        return self.source.split()[0] if not self.source.startswith("AWS Budgets") else "AWS Budgets"

    def problem(self, name: str) -> str | None:
        """Why AWS would reject ``name``, or None."""
        owner = self.service + ("'" if self.service.endswith("s") else "'s")
        rules = f"{self.kind} '{name}' breaks {owner} naming rules"
        if not 1 <= len(name) <= self.max_length:
            return f"{rules}: it is {len(name)} characters; {self.service} allows {self.max_length} ({self.source})"
        if not self.pattern.fullmatch(name):
            return f"{rules}: use only {self.allowed} ({self.source})"
        return None


#: CloudFormation CreateStack, StackName: "must start with an alphabetical character and can't
#: be longer than 128 characters"; letters, digits and hyphens.
STACK_NAME = NameLimit(
    "stack name",
    128,
    re.compile(r"[A-Za-z][A-Za-z0-9-]*"),
    "letters, digits and '-', starting with a letter",
    "CloudFormation CreateStack StackName",
)
#: DynamoDB CreateTable, TableName: 3-255 characters of a-z, A-Z, 0-9, '_', '-', '.'.
TABLE_NAME = NameLimit(
    "table name",
    255,
    re.compile(r"[A-Za-z0-9_.-]{3,}"),
    "letters, digits, '_', '-' and '.', at least 3 of them",
    "DynamoDB CreateTable TableName",
)
#: IAM CreateRole, RoleName: length 1-64, pattern [\w+=,.@-]+.
ROLE_NAME = NameLimit(
    "IAM role name", 64, re.compile(r"[\w+=,.@-]+", re.ASCII), "letters, digits and +=,.@_-", "IAM CreateRole RoleName"
)
#: SNS CreateTopic, Name: "uppercase and lowercase ASCII letters, numbers, underscores, and
#: hyphens, and must be between 1 and 256 characters long".
TOPIC_NAME = NameLimit(
    "SNS topic name", 256, re.compile(r"[A-Za-z0-9_-]+"), "letters, digits, '_' and '-'", "SNS CreateTopic Name"
)
#: AWS Budgets, Budget.BudgetName: length 1-100; ':' and '\' and the substring '/action/'
#: are not allowed (pattern ^(?![^:\\]*/action/|(?i).*<script>.*</script>.*)[^:\\]+$).
BUDGET_NAME = NameLimit(
    "budget name",
    100,
    re.compile(r"(?![^:\\]*/action/)(?!(?i:.*<script>.*</script>.*))[^:\\]+"),
    "any characters but ':' and '\\', without '/action/'",
    "AWS Budgets Budget.BudgetName",
)
#: CloudWatch PutMetricAlarm / PutCompositeAlarm, AlarmName: length 1-255.
ALARM_NAME = NameLimit(
    "alarm name", 255, re.compile(r"[^\x00-\x1f]+"), "printable characters", "CloudWatch PutMetricAlarm AlarmName"
)
#: CloudWatch PutDashboard, DashboardName: "The maximum length is 255, and valid characters
#: are A-Z, a-z, 0-9, "-", and "_"".
DASHBOARD_NAME = NameLimit(
    "dashboard name",
    255,
    re.compile(r"[A-Za-z0-9_-]+"),
    "letters, digits, '-' and '_'",
    "CloudWatch PutDashboard DashboardName",
)
#: SSM PutParameter, Name: a-zA-Z0-9_.- plus '/' for hierarchy; "the maximum length for a
#: parameter name that you specify is 1011 characters"; at most 15 hierarchy levels; the
#: name can't be prefixed with "aws" or "ssm" (case-insensitive).
SSM_PARAMETER_NAME = NameLimit(
    "SSM parameter name",
    1011,
    re.compile(r"/(?!(?i:aws|ssm))[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,14}"),
    "a-z, A-Z, 0-9, '_', '.', '-' in at most 15 '/' levels, not starting with 'aws' or 'ssm'",
    "SSM PutParameter Name",
)

LIMITS = (
    STACK_NAME,
    TABLE_NAME,
    ROLE_NAME,
    TOPIC_NAME,
    BUDGET_NAME,
    ALARM_NAME,
    DASHBOARD_NAME,
    SSM_PARAMETER_NAME,
)


# --- the names ---------------------------------------------------------------------


def construct_id(name: str) -> str:
    """Stable PascalCase construct ID from a catalog key: user-startup-mapping -> UserStartupMapping.

    Not a physical name, but what CloudFormation derives logical IDs from: changing it
    replaces the table, so a test pins the resulting IDs.
    """
    return "".join(part.capitalize() for part in name.split("-"))


def table_name(system: str, table: str, stage: str) -> str:
    """``<system>-<table>-<stage>``, as 001 names ``auxeira-users-prod``."""
    return f"{system}-{table}-{stage}"


def table_arn(physical_name: str, *, partition: str, region: str, account: str) -> str:
    """A table's ARN; the parts may be CloudFormation placeholders (see :data:`SUB_PSEUDO`)."""
    return f"arn:{partition}:dynamodb:{region}:{account}:table/{physical_name}"


#: ``Fn::Sub`` placeholders for the stack's own partition, region and account.
SUB_PSEUDO = {"partition": "${AWS::Partition}", "region": "${AWS::Region}", "account": "${AWS::AccountId}"}


def role_name(system: str, consumer: str, stage: str) -> str:
    """``<system>-<consumer>-<stage>``: the IAM role of one consumer in one stage."""
    return f"{system}-{consumer}-{stage}"


def _numbered(base: str, number: int) -> str:
    """The first of a kind keeps the plain name; later ones get ``-<n>``."""
    return f"{base}-{number}" if number else base


def data_stack_name(system: str, stage: str, stack: int = 0) -> str:
    return _numbered(f"{system}-{stage}-data", stack)


def ops_stack_name(system: str, stage: str, shard: int = 0) -> str:
    return _numbered(f"{system}-{stage}-ops", shard)


def access_stack_name(system: str, stage: str) -> str:
    return f"{system}-{stage}-access"


def topic_name(system: str, stage: str) -> str:
    """The alarm topic of one system and stage."""
    return f"{system}-{stage}-alarms"


def topic_arn(topic: str, *, partition: str, region: str, account: str) -> str:
    """A topic's ARN; fixed names let other ops stacks address it without a cross-stack reference."""
    return f"arn:{partition}:sns:{region}:{account}:{topic}"


def budget_name(system: str, stage: str) -> str:
    return f"{system}-{stage}-monthly"


def dashboard_name(system: str, stage: str, shard: int = 0) -> str:
    return _numbered(f"{system}-{stage}", shard)


def alarm_prefix(system: str, stage: str) -> str:
    """Every alarm of a system and stage starts with this, so the console groups them."""
    return f"{system}-{stage}-"


def alarm_name(system: str, stage: str, suffix: str) -> str:
    """A table alarm (suffix from the alarm rules, e.g. ``users-read-throttle``) or a composite."""
    return alarm_prefix(system, stage) + suffix


def health_alarm_name(system: str, stage: str) -> str:
    return alarm_name(system, stage, "system-health")


def health_part_name(system: str, stage: str, number: int) -> str:
    return alarm_name(system, stage, f"health-part-{number}")


def ssm_parameter_prefix(system: str, stage: str, table: str) -> str:
    """``/<system>/<stage>/dynamodb/<table>``: the table's name and ARN parameters live below it."""
    return f"/{system}/{stage}/dynamodb/{table}"


def ssm_parameter_name(system: str, stage: str, table: str, label: str) -> str:
    """``/<system>/<stage>/dynamodb/<table>/<label>`` for label ``name`` or ``arn``."""
    return f"{ssm_parameter_prefix(system, stage, table)}/{label}"


#: The SSM parameters each table publishes.
SSM_LABELS = ("name", "arn")
