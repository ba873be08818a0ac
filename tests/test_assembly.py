"""The cloud-assembly reader shared by the summary, seed, cost and review tools."""

from __future__ import annotations

from tableforge.assembly import read_assembly
from tests.conftest import TEST_REGION, Synthesized


def test_stacks_carry_their_concrete_region(synth: Synthesized) -> None:
    stacks = read_assembly(synth.outdir)
    assert {s.region for s in stacks} == {TEST_REGION}
