"""cfn-lint on every synthesized template: no errors."""

from __future__ import annotations

import json
from pathlib import Path

from cfnlint.api import ManualArgs, lint_file

from tableforge.assembly import read_assembly
from tests import background
from tests.conftest import TEST_REGION, Synthesized


def lint_errors(path: str) -> list[str]:
    """cfn-lint's errors (E rules) for one template; warnings are not failures."""
    matches = lint_file(Path(path), config=ManualArgs(regions=[TEST_REGION]))
    return [str(m) for m in matches if m.rule.id.startswith("E")]


def lint_assembly(outdir: str) -> list[str]:
    """cfn-lint's errors for every template of the assembly, each named by its stack."""
    stacks = read_assembly(outdir)
    assert len(stacks) >= 27  # data, ops and access stacks for 3 systems x 3 stages
    return [f"{s.display_name}: {e}" for s in stacks for e in lint_errors(str(s.template_path))]


# cfn-lint is CPU-bound and needs only the files: it runs on the other core while the suite goes on.
background.after_synth("cfn-lint", lint_assembly)


def test_cfn_lint_reports_no_errors(synth: Synthesized) -> None:
    errors = background.result("cfn-lint")
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


def test_every_cdk_feature_flag_is_configured_as_recommended(synth: Synthesized) -> None:
    """aws-cdk-lib's own feature-flag report in the assembly: nothing left unset (a flag set after
    the first deploy can replace resources), each at its recommended value unless README says why."""
    manifest = json.loads((synth.outdir / "manifest.json").read_text())
    flags = manifest["artifacts"]["aws-cdk-lib/feature-flag-report"]["properties"]["flags"]
    assert len(flags) > 100
    assert [name for name, flag in flags.items() if "userValue" not in flag] == []
    # Strong references keep a producer stack (the data stack's KMS key) until its consumers let go.
    exceptions = {"@aws-cdk/core:defaultCrossStackReferences": "strong"}
    differing = {
        name: flag["userValue"]
        for name, flag in flags.items()
        if "recommendedValue" in flag and flag["userValue"] != flag["recommendedValue"]
    }
    assert differing == exceptions
