"""The alarm topic of one system and stage: SNS, its own KMS key, and both policies."""

from __future__ import annotations

import hashlib
from typing import Any

from aws_cdk import Aws, CfnOutput
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from tableforge.naming import topic_name
from tableforge.stages import StageConfig

#: The only principals that may publish to a system's alarm topic and use its key.
PUBLISHER_SERVICES = ("cloudwatch.amazonaws.com", "budgets.amazonaws.com")
#: KMS actions a publisher needs to write to an encrypted topic.
PUBLISHER_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")
#: Key administration for the account (KMS refuses a key nobody can administer);
#: deliberately no Encrypt/Decrypt/GenerateDataKey, so only the publishers use it.
KEY_ADMIN_ACTIONS = (
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
)


class AlarmTopic(Construct):
    """The encrypted SNS topic every alarm and the budget of one system and stage notify.

    Defaults: topic ``<system>-<stage>-alarms`` with its own KMS key (rotation
    on); topic and key policies let only ``cloudwatch.amazonaws.com`` and
    ``budgets.amazonaws.com`` publish (the account keeps key *administration*,
    which KMS requires); non-TLS publishing is denied; the stage's email/HTTPS
    subscriptions, none by default (the topic exists without them).
    """

    def __init__(self, scope: Construct, construct_id: str, *, system: str, stage: StageConfig) -> None:
        super().__init__(scope, construct_id)
        account, partition = Aws.ACCOUNT_ID, Aws.PARTITION
        name = topic_name(system, stage.name)
        key = kms.CfnKey(
            self,
            "Key",
            description=f"{name} topic (SNS server-side encryption)",
            enable_key_rotation=True,
            key_policy=_key_policy(account, partition),
        )
        topic = sns.CfnTopic(self, "Topic", topic_name=name, kms_master_key_id=key.attr_arn)
        self.topic_arn: str = topic.ref
        sns.CfnTopicPolicy(
            self, "Policy", topics=[self.topic_arn], policy_document=_topic_policy(self.topic_arn, account)
        )
        for sub in stage.monitoring.subscriptions:
            digest = hashlib.sha256(f"{sub.protocol}:{sub.endpoint}".encode()).hexdigest()[:8]
            # The ID follows the endpoint, so reordering the list re-subscribes nobody.
            sns.CfnSubscription(
                self, f"Subscription{digest}", topic_arn=self.topic_arn, protocol=sub.protocol, endpoint=sub.endpoint
            )
        CfnOutput(self, "Arn", value=self.topic_arn, description=f"{name}: where alarms and the budget notify")


def _key_policy(account: str, partition: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                # KMS rejects a key policy that nobody could change; administration only.
                "Sid": "AccountAdministersKey",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                "Action": list(KEY_ADMIN_ACTIONS),
                "Resource": "*",
            },
            {
                "Sid": "AlarmAndBudgetPublishersUseKey",
                "Effect": "Allow",
                "Principal": {"Service": list(PUBLISHER_SERVICES)},
                "Action": list(PUBLISHER_KEY_ACTIONS),
                "Resource": "*",
            },
        ],
    }


def _topic_policy(topic_arn: str, account: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AlarmAndBudgetPublishers",
                "Effect": "Allow",
                "Principal": {"Service": list(PUBLISHER_SERVICES)},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                # Only this account's alarms and budgets (confused-deputy guard).
                "Condition": {"StringEquals": {"aws:SourceAccount": account}},
            },
            {
                "Sid": "DenyPublishWithoutTls",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }
