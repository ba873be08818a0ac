"""The cloud-assembly reader shared by the summary, seed, cost and review tools."""

from __future__ import annotations

from tableforge.assembly import read_assembly, tag_value
from tests.conftest import TEST_REGION, Synthesized


def test_stacks_carry_their_concrete_region(synth: Synthesized) -> None:
    stacks = read_assembly(synth.outdir)
    assert {s.region for s in stacks} == {TEST_REGION}


def test_tag_value_reads_list_map_and_replica_tags() -> None:
    listed = {"Properties": {"Tags": [{"Key": "system", "Value": "shop"}]}}
    mapped = {"Properties": {"Tags": {"system": "shop"}}}  # e.g. AWS::SSM::Parameter
    replica = {"Properties": {"Replicas": [{"Region": "us-east-1", "Tags": [{"Key": "system", "Value": "shop"}]}]}}
    for resource in (listed, mapped, replica):
        assert tag_value(resource, "system") == "shop"
        assert tag_value(resource, "stage") is None
    assert tag_value({"Properties": {"Tags": {"system": {"Ref": "X"}}}}, "system") is None
