"""The monthly cost budget of one system and stage."""

from __future__ import annotations

from aws_cdk import aws_budgets as budgets
from constructs import Construct

from tableforge import naming
from tableforge.stages import StageConfig

#: Budget notifications: (type, percent of the budget), as the issue and 002 ask.
BUDGET_NOTIFICATIONS = (("ACTUAL", 50), ("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 100))


class CostBudget(Construct):
    """A monthly COST budget of one system and stage, filtered by the tags ``system`` AND ``stage``.

    The amount is the catalog's (``Catalog.budget_usd``); notifications go to
    the topic at 50, 80 and 100% of ACTUAL and 100% of FORECASTED spend. The tags
    must be activated as cost-allocation tags in the Billing console (once per
    account) before the budget sees any spend.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, system: str, stage: StageConfig, amount_usd: float, topic_arn: str
    ) -> None:
        super().__init__(scope, construct_id)
        B = budgets.CfnBudget
        tags = [
            B.ExpressionProperty(tags=B.TagValuesProperty(key=key, values=[value], match_options=["EQUALS"]))
            for key, value in (("system", system), ("stage", stage.name))
        ]
        B(
            self,
            "Budget",
            budget=B.BudgetDataProperty(
                budget_name=naming.budget_name(system, stage.name),
                budget_type="COST",
                time_unit="MONTHLY",
                budget_limit=B.SpendProperty(amount=amount_usd, unit="USD"),
                # Both tags must match: CostFilters would OR them, a FilterExpression ANDs.
                filter_expression=B.ExpressionProperty(and_=tags),
            ),
            notifications_with_subscribers=[
                B.NotificationWithSubscribersProperty(
                    notification=B.NotificationProperty(
                        notification_type=kind,
                        comparison_operator="GREATER_THAN",
                        threshold=percent,
                        threshold_type="PERCENTAGE",
                    ),
                    subscribers=[B.SubscriberProperty(subscription_type="SNS", address=topic_arn)],
                )
                for kind, percent in BUDGET_NOTIFICATIONS
            ],
        )
