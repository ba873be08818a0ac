"""The baseline for bench/synth.py: a CDK app with one TableV2 in one stack."""

from aws_cdk import App, Stack
from aws_cdk import aws_dynamodb as dynamodb

app = App()
stack = Stack(app, "Minimal")
dynamodb.TableV2(stack, "Table", partition_key=dynamodb.Attribute(name="PK", type=dynamodb.AttributeType.STRING))
app.synth()
