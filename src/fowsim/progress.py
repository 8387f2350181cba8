"""A quiet progress bar on stderr: it appears only for work that takes more than a few seconds.

On a terminal it redraws one line; into a log file (stderr not a terminal) it writes a whole line at
each tenth of the work, so the log stays readable (no carriage returns).
"""

from __future__ import annotations

import sys
import threading
import time

STOP = threading.Event()  # set by an interrupt (fowsim.cli): work stops between two months, where it is safe


def check_stop(done: int = 0, total: int = 0) -> None:
    """Raise KeyboardInterrupt if an interrupt asked work to stop (a `progress` callback between months)."""
    if STOP.is_set():
        raise KeyboardInterrupt


class Progress:
    """Callable `progress(done, total)`; draws after `delay` seconds, at most every `every` seconds."""

    def __init__(self, label: str = "months", delay: float = 2.0, every: float = 0.5, stream=None) -> None:
        self.label, self.delay, self.every = label, delay, every
        self.stream = stream or sys.stderr
        self.t0 = time.monotonic()
        self.last = 0.0
        self.drawn = False
        # a terminal redraws one line; a log file (not a terminal) gets a whole line at each tenth of the work
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.tenths = 0

    def __call__(self, done: int, total: int) -> None:
        """Report `done` of `total` (and stop there if an interrupt asked to: `check_stop`)."""
        check_stop()
        now = time.monotonic()
        elapsed = now - self.t0
        if elapsed < self.delay or (now - self.last < self.every and done < total):
            return
        frac = done / max(total, 1)
        eta = elapsed * (1 - frac) / frac if frac > 0 else 0.0
        if not self.tty:
            if int(10 * frac) <= self.tenths and done < total:
                return
            self.tenths = int(10 * frac)
            self.stream.write(f"{done}/{total} {self.label}, {elapsed:.0f}s elapsed, ~{eta:.0f}s left\n")
            self.stream.flush()
            return
        self.last = now
        bar = "#" * int(30 * frac)
        self.stream.write(f"\r[{bar:<30}] {done}/{total} {self.label}  {elapsed:5.0f}s elapsed, ~{eta:4.0f}s left ")
        self.stream.flush()
        self.drawn = True
        if done >= total:
            self.close()

    def close(self) -> None:
        """End the bar's line if one was drawn."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False
