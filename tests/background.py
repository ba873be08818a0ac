"""Heavy, independent test work on the machine's other core.

The suite itself runs on one core (pytest, with jsii's Node process or DynamoDB Local
beside it). A few jobs need only files, not the session's objects: cfn-lint over every
synthesized template, the 500-table synth of the scale test. A test module declares such a
job when it is imported (``soon`` or ``after_synth``); the job starts in one spawned worker
process as soon as its input exists, if a test of that module was selected, and the test
waits for its result (``result``). An exception in the job is raised again in the test.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class _Job:
    module: str  # the declaring test module's file, as pytest's items know it
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    after_synth: bool


_declared: dict[str, _Job] = {}
_wanted: set[str] = set()
_started: dict[str, Future[Any]] = {}
_pool: list[ProcessPoolExecutor] = []


def _module_file(fn: Callable[..., Any]) -> str:
    return str(Path(sys.modules[fn.__module__].__file__ or "").resolve())


def soon(name: str, fn: Callable[..., Any], *args: Any) -> None:
    """Run ``fn(*args)`` (a module-level function; its arguments and result pickle) once
    collection is over."""
    _declared[name] = _Job(_module_file(fn), fn, args, after_synth=False)


def after_synth(name: str, fn: Callable[..., Any]) -> None:
    """Run ``fn(outdir)`` once the session's assembly is written to ``outdir``."""
    _declared[name] = _Job(_module_file(fn), fn, (), after_synth=True)


def result(name: str) -> Any:
    """The job's result, waiting for it. A test of an ``after_synth`` job asks for the ``synth``
    fixture, which starts the job."""
    if name not in _started:
        raise RuntimeError(f"background job {name!r} was not started: is its test module selected?")
    return _started[name].result()


def _submit(name: str, job: _Job, *args: Any) -> None:
    if not _pool:
        _pool.append(ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")))
    _started[name] = _pool[0].submit(job.fn, *job.args, *args)


def collection_finished(selected_files: set[str]) -> None:
    """Called by conftest with the files of the selected tests: start what needs no synth."""
    for name, job in _declared.items():
        if job.module in selected_files:
            _wanted.add(name)
            if not job.after_synth:
                _submit(name, job)


def synthesized(outdir: Path) -> None:
    """Called by conftest when the session's assembly is on disk."""
    for name, job in _declared.items():
        if name in _wanted and job.after_synth:
            _submit(name, job, str(outdir))


def shutdown(*, interrupted: bool = False) -> None:
    """At the end of the session: drop what never ran, wait for what is running (after Ctrl-C,
    stop it instead: nobody will read its result)."""
    for pool in _pool:
        if interrupted:
            for process in getattr(pool, "_processes", {}).values():  # no public way to stop a running job
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
