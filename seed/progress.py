"""A small progress bar on stderr for long loads; silent when stderr is not a TTY."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

#: Loads shorter than this never draw a bar: reference data finishes in a blink.
MIN_ITEMS = 1000


class Bar:
    def __init__(self, stream: TextIO, label: str, total: int) -> None:
        self.stream, self.label, self.total = stream, label, max(total, 1)
        self.done = 0
        self.started = time.monotonic()
        self.drawn = 0.0
        self.lock = threading.Lock()

    def advance(self, count: int) -> None:
        with self.lock:
            self.done += count
            now = time.monotonic()
            if now - self.drawn >= 0.1:
                self.drawn = now
                self._draw(now)

    def _draw(self, now: float) -> None:
        share = min(self.done / self.total, 1.0)
        filled = int(share * 30)
        rate = self.done / max(now - self.started, 1e-9)
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'-' * (30 - filled)}] {share:4.0%} "
            f"{self.done}/{self.total} {rate:,.0f} items/s"
        )
        self.stream.flush()

    def finish(self) -> None:
        with self.lock:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()


class Progress:
    """Hands out bars; ``enabled`` is False for --json and for non-TTY stderr."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled

    def start(self, label: str, total: int) -> Bar | None:
        if not self.enabled or total < MIN_ITEMS:
            return None
        return Bar(self.stream, label, total)
