"""``make review BASE=<ref>``: synthesize a git ref and the working tree, then diff them.

The base ref is checked out in a temporary ``git worktree`` and synthesized with
this checkout's virtualenv and pinned CDK CLI (a worktree has neither), so the base
is built by the base's own code and its own ``cdk.json`` context. The head is the
working tree, synthesized into a temporary directory too, so a shared ``cdk.out``
is never touched. A base that predates the app (no ``app.py`` or ``cdk.json``)
counts as an empty assembly: everything in the head is new.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tableforge.cdk_env import cdk_env
from tableforge.errors import TableforgeError

ROOT = Path(__file__).resolve().parent.parent
CDK_CLI = ROOT / "node_modules" / "aws-cdk" / "bin" / "cdk"


def _git(*args: str, cwd: Path = ROOT) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise TableforgeError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def empty_assembly(outdir: Path) -> Path:
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": {}}))
    return outdir


def synthesize(source: Path, outdir: Path, *, label: str) -> Path:
    """``cdk synth`` of the app in ``source`` into ``outdir``, with this checkout's python and CLI."""
    if not (source / "app.py").is_file() or not (source / "cdk.json").is_file():
        print(f"review: {label} has no app.py/cdk.json; treating it as an empty assembly", file=sys.stderr)
        return empty_assembly(outdir)
    node = shutil.which("node")
    if node is None or not CDK_CLI.is_file():
        raise TableforgeError("the CDK CLI is not installed; run `make deps` first", file=str(CDK_CLI))
    command = [
        node,
        str(CDK_CLI),
        "synth",
        "-q",
        "--no-notices",
        "--app",
        f"{sys.executable} app.py",
        "--output",
        str(outdir),
    ]
    env = cdk_env()
    result = subprocess.run(command, cwd=source, env=env, capture_output=True, text=True)
    if result.returncode != 0 or not (outdir / "manifest.json").is_file():
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        raise TableforgeError(f"synth of the {label} failed (exit {result.returncode}):\n{tail}")
    return outdir


def synth_pair(base_ref: str, workdir: Path) -> tuple[Path, Path]:
    """(base assembly, head assembly) under ``workdir``; the worktree is removed again."""
    commit = _git("rev-parse", "--verify", f"{base_ref}^{{commit}}")
    worktree = workdir / "base-src"
    _git("worktree", "add", "--detach", "--quiet", str(worktree), commit)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            base = pool.submit(synthesize, worktree, workdir / "base.out", label=f"base {base_ref} ({commit[:8]})")
            head = pool.submit(synthesize, ROOT, workdir / "head.out", label="working tree")
            return base.result(), head.result()
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, capture_output=True)
        subprocess.run(["git", "worktree", "prune"], cwd=ROOT, capture_output=True)


def temporary_workdir(keep: Path | None) -> Path:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        return keep
    return Path(tempfile.mkdtemp(prefix="tableforge-review-"))
