"""cfn-lint on every synthesized template: no errors."""

from __future__ import annotations

from cfnlint.api import ManualArgs, lint_file

from tableforge.assembly import read_assembly
from tests.conftest import TEST_REGION, Synthesized


def test_cfn_lint_reports_no_errors(synth: Synthesized) -> None:
    stacks = read_assembly(synth.outdir)
    assert len(stacks) >= 9
    errors = []
    for stack in stacks:
        for match in lint_file(stack.template_path, config=ManualArgs(regions=[TEST_REGION])):
            if match.rule.id.startswith("E"):
                errors.append(f"{stack.display_name}: {match}")
    assert not errors, "\n".join(errors)


def test_cfn_lint_check_catches_a_broken_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # The check above must be able to fail: a GlobalTable without KeySchema is an error.
    import json

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
    matches = lint_file(path, config=ManualArgs(regions=[TEST_REGION]))
    assert any(m.rule.id.startswith("E") for m in matches)
