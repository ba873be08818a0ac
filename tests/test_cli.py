"""The one command line, ``tableforge <group> <command>``: groups, shortcuts, exit statuses."""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from seed.local import free_port
from tableforge import cli
from tests.review.pairs import Pair, table_id

ROOT = Path(__file__).resolve().parent.parent
#: The console script `make deps` installs next to the venv's python (pip install -e .).
SCRIPT = Path(sys.executable).parent / "tableforge"
GROUPS = ["synth-summary", "seed", "cost", "review", "adopt", "access-report", "generate"]
#: Each group's commands: exactly those of the entry point it replaces.
COMMANDS = {
    "seed": ["load", "local-tables", "synthetic", "status", "dynamodb-local"],
    "cost": ["estimate"],
    "review": ["diff", "ref"],
}


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=120)


def tableforge(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return run(str(SCRIPT), *args, cwd=cwd)


def assert_one_error_line(result: subprocess.CompletedProcess[str], status: int, *needles: str) -> str:
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


# --- groups and help ------------------------------------------------------------------


def test_python_m_tableforge_lists_every_group() -> None:
    result = run(sys.executable, "-m", "tableforge", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m tableforge ")
    listed = [line.split()[0] for line in result.stdout.splitlines() if re.match(r"    \S", line)]
    assert listed == GROUPS
    assert "synth-summary (summary)" in result.stdout
    assert "exit status: 0 success, 1 a blocked or failed check, 2 bad input" in result.stdout


@pytest.mark.parametrize("group", [*GROUPS, "summary"])
def test_every_group_has_help(group: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([group, "--help"]) == 0
    out = capsys.readouterr().out
    name = "synth-summary" if group == "summary" else group  # the alias runs the same parser
    assert out.startswith(f"usage: tableforge {name} ")
    for command in COMMANDS.get(group, []):
        assert f"    {command} " in out
        assert cli.main([group, command, "--help"]) == 0
        assert capsys.readouterr().out.startswith(f"usage: tableforge {group} {command} ")


def test_groups_keep_their_options(capsys: pytest.CaptureFixture[str]) -> None:
    expected = {
        ("seed", "load"): ["--stage", "--endpoint-url", "--data", "--prune", "--flag", "--dry-run", "--workers"],
        ("cost", "estimate"): ["--cdk-out", "--template", "--usage", "--format", "--prices", "--refresh-prices"],
        ("review", "diff"): ["--base", "--head", "--acknowledged", "--json-output", "--no-cost"],
        ("review", "ref"): ["--base-ref", "--keep", "--output"],
        ("access-report",): ["--catalog", "--out"],
        ("generate",): ["--tables", "--per-stack", "--system", "--out"],
        ("summary",): ["CDK_OUT"],
    }
    for command, options in expected.items():
        assert cli.main([*command, "--help"]) == 0
        out = capsys.readouterr().out
        assert all(option in out for option in options), (command, out)


def test_the_console_script_is_installed_and_runs(tmp_path: Path) -> None:
    assert SCRIPT.is_file(), f"{SCRIPT} missing: run `make deps` (it installs the project editable)"
    result = tableforge("--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: tableforge ") and "access-report" in result.stdout
    # From another directory it still finds its data: the catalog, seed data and prices.
    result = tableforge("generate", "--tables", "3", "--out", str(tmp_path / "catalog"), cwd=tmp_path)
    assert result.returncode == 0 and (tmp_path / "catalog" / "bulk.yaml").is_file(), result.stderr
    result = tableforge("access-report", "--catalog", str(ROOT / "catalog"), "--out", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 0 and (tmp_path / "access-auxeira.md").is_file(), result.stderr


def test_pyproject_installs_every_package_with_its_data() -> None:
    """A new top-level package, or a data file outside the globs, would be missing from a
    non-editable install; the editable one (make deps) keeps everything in the checkout."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["project"]["scripts"] == {"tableforge": "tableforge.cli:main"}
    setuptools = config["tool"]["setuptools"]
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests"}
    include = setuptools["packages"]["find"]["include"]
    # Every top-level package and its subpackages (tableforge.catalog, ...) are found; no stale pattern.
    subpackages = {".".join(p.parent.relative_to(ROOT).parts) for p in ROOT.glob("*/*/__init__.py")}
    for package in packages | {s for s in subpackages if s.split(".")[0] in packages}:
        assert any(fnmatch.fnmatch(package, pattern) for pattern in include), package
    assert {pattern.rstrip("*") for pattern in include} == packages
    for package in packages:
        data = {
            path
            for path in (ROOT / package).rglob("*")
            if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts
        }
        globs = setuptools["package-data"].get(package, [])
        covered = {path for pattern in globs for path in (ROOT / package).glob(pattern)}
        assert data <= covered, (package, sorted(str(p) for p in data - covered))


# --- exit statuses --------------------------------------------------------------------


def test_unknown_stage_is_bad_input() -> None:
    result = tableforge("seed", "load", "--stage", "nope")
    assert_one_error_line(result, 2, "--stage", "'nope'", "tableforge seed load --help")


def test_missing_assembly_is_bad_input() -> None:
    result = tableforge("summary", "/nonexistent")
    assert_one_error_line(result, 2, "/nonexistent", "manifest.json missing")


def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in ([], ["nosuch"], ["seed"], ["cost", "estimate", "--nosuch"], ["generate"]):
        assert cli.main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("error: "), (argv, err)


def test_adopt_has_plan_and_migrate() -> None:
    result = tableforge("adopt")
    assert_one_error_line(result, 2, "the following arguments are required")
    assert "take over tables that already run" in tableforge("--help").stdout
    help_text = tableforge("adopt", "--help").stdout
    assert "plan" in help_text and "migrate" in help_text


def test_a_failed_load_against_the_server_exits_1() -> None:
    """Nothing listens on the port: the DynamoDB call fails, which is not bad input."""
    endpoint = f"http://127.0.0.1:{free_port()}"
    result = tableforge("seed", "load", "--stage", "dev", "--endpoint-url", endpoint)
    assert_one_error_line(result, 1, "error: AWS: ", endpoint)


@pytest.fixture
def blocking_pair(synth: Any, tmp_path: Path) -> Pair:
    """prod's users table removed: an unacknowledged destructive change that blocks."""
    pair = Pair(Path(synth.outdir), tmp_path / "pair")
    with pair.edit("head", "Prod/AuxeiraData") as template:
        del template["Resources"][table_id(template, "users")]
    return pair


def test_a_blocking_review_exits_1_from_the_cli_and_the_shortcut(blocking_pair: Pair, tmp_path: Path) -> None:
    acks = tmp_path / "acknowledged.yaml"
    acks.write_text("acknowledged: []\n")
    args = ["diff", "--base", str(blocking_pair.base), "--head", str(blocking_pair.head)]
    args += ["--acknowledged", str(acks), "--no-cost", "--format", "json"]
    for result in (tableforge("review", *args), run(sys.executable, "-m", "review", *args)):
        assert result.returncode == 1, result.stderr
        assert '"blocking": true' in result.stdout
        assert "review: 1 unacknowledged destructive change(s)" in result.stderr
        assert "Traceback" not in result.stderr and "error:" not in result.stderr


def test_ctrl_c_is_a_short_message_and_130(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import tableforge.summary

    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(tableforge.summary, "run", interrupted)
    assert cli.main(["summary"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_a_bug_is_one_line_unless_debugging(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import tableforge.summary

    def broken(args: object) -> int:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(tableforge.summary, "run", broken)
    monkeypatch.delenv(cli.DEBUG_VARIABLE, raising=False)
    assert cli.main(["summary"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: unexpected ZeroDivisionError: division by zero (TABLEFORGE_DEBUG=1 shows the traceback)"
    ]
    monkeypatch.setenv(cli.DEBUG_VARIABLE, "1")
    with pytest.raises(ZeroDivisionError):
        cli.main(["summary"])


def test_only_the_boundary_prints_errors() -> None:
    """The per-module copies of try/except-print-exit are gone: one boundary, one format."""
    offenders = []
    for package in ("tableforge", "seed", "cost", "review", "tools"):
        for path in sorted((ROOT / package).glob("*.py")):
            if path == ROOT / "tableforge" / "cli.py":
                continue
            text = path.read_text(encoding="utf-8")
            if re.search(r"""[fr]?["']error: """, text):  # a string that starts an error line
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


# --- shortcuts ------------------------------------------------------------------------


@pytest.mark.parametrize("group", ["seed", "cost", "review"])
def test_python_m_shortcut_is_the_same_group(group: str) -> None:
    shortcut = run(sys.executable, "-m", group, "--help")
    assert shortcut.returncode == 0, shortcut.stderr
    assert shortcut.stdout.startswith(f"usage: python -m {group} ")
    full = tableforge(group, "--help")
    # Same commands and text; only the program name (and so the wrapping) differs.
    assert shortcut.stdout.replace(f"python -m {group}", f"tableforge {group}").split() == full.stdout.split()


def test_python_m_seed_exits_like_tableforge_seed() -> None:
    result = run(sys.executable, "-m", "seed", "load", "--stage", "nope")
    assert_one_error_line(result, 2, "'nope'", "python -m seed load --help")


@pytest.mark.parametrize(
    ("module", "group"),
    [
        ("tableforge.summary", "synth-summary"),
        ("tools.access_report", "access-report"),
        ("tableforge.generate", "generate"),
    ],
)
def test_module_shortcuts_still_run(module: str, group: str) -> None:
    result = run(sys.executable, "-m", module, "--help")
    assert result.returncode == 0 and result.stdout.startswith(f"usage: python -m {module} "), result.stderr
    full = tableforge(group, "--help")
    assert result.stdout.replace(f"python -m {module}", f"tableforge {group}").split() == full.stdout.split()
