"""The cloud-assembly reader shared by the summary, seed, cost and review tools."""

from __future__ import annotations

from tableforge.assembly import read_assembly
from tests.conftest import TEST_ACCOUNT, TEST_REGION, Synthesized


def test_stacks_carry_their_concrete_region(synth: Synthesized) -> None:
    stacks = read_assembly(synth.outdir)
    assert {s.region for s in stacks} == {TEST_REGION}


def test_stacks_carry_their_account_and_termination_protection(synth: Synthesized) -> None:
    """Both live in the manifest, not the template; the stage table protects data stacks in staging and prod."""
    stacks = read_assembly(synth.outdir)
    assert {s.account for s in stacks} == {TEST_ACCOUNT}
    protected = {(s.stage_name, s.kind) for s in stacks if s.termination_protection}
    assert protected == {("staging", "data"), ("prod", "data")}
