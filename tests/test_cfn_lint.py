"""cfn-lint on every synthesized template: no errors."""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from cfnlint.api import ManualArgs, lint_file

from tableforge.assembly import read_assembly
from tests.conftest import TEST_REGION, Synthesized


def lint_errors(path: str) -> list[str]:
    """cfn-lint's errors (E rules) for one template; warnings are not failures."""
    matches = lint_file(Path(path), config=ManualArgs(regions=[TEST_REGION]))
    return [str(m) for m in matches if m.rule.id.startswith("E")]


def test_cfn_lint_reports_no_errors(synth: Synthesized) -> None:
    stacks = read_assembly(synth.outdir)
    assert len(stacks) >= 27  # data, ops and access stacks for 3 systems x 3 stages
    # cfn-lint is CPU-bound and the templates are independent: lint them on every core.
    # Spawned (not forked) workers, so no copy of this process's jsii kernel is inherited.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=context) as pool:
        results = pool.map(lint_errors, [str(s.template_path) for s in stacks])
        errors = [f"{s.display_name}: {e}" for s, errs in zip(stacks, results, strict=True) for e in errs]
    assert not errors, "\n".join(errors[:30])


def test_cfn_lint_check_catches_a_broken_table(tmp_path: Path) -> None:
    # The check above must be able to fail: a GlobalTable without KeySchema is an error.
    broken = {
        "Resources": {
            "T": {
                "Type": "AWS::DynamoDB::GlobalTable",
                "Properties": {"AttributeDefinitions": [], "Replicas": [{"Region": TEST_REGION}]},
            }
        }
    }
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    assert lint_errors(str(path))
