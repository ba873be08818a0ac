"""Offline cost estimates from synthesized CloudFormation templates (issue 6).

`python -m cost estimate --cdk-out cdk.out` prices DynamoDB tables (Table and
GlobalTable), CloudWatch alarms and dashboards, SNS topics and Budgets from the
templates alone, with prices from the dated file cost/data/prices.json.
"""
