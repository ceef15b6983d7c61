"""torch warmed up in the background, so the Compare page's first visit does not pay for it.

Importing torch takes seconds (TOOLING.md) and about 250 MiB; only the Compare page needs it.
`TorchWarmup` imports it, and runs one tiny `nn.LSTM` call (torch's own first-call set-up), in a
daemon thread once the process has been quiet for `quiet_s` (no script run started, none still
running): the import holds the GIL for up to a few hundred ms at a time, so it does not run beside
a page's render.
A page that needs torch before the warm-up is done imports it itself (Python's import lock makes
it wait for the thread's import, never import twice). `LSTM_EXPLAINER_WARM_TORCH=0` (or false,
no, off) turns the warm-up off: torch is then imported by the first visit to the Compare page.

Pure: no Streamlit (`ui.warmup` starts one warm-up per process).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping

import numpy as np

ENV = "LSTM_EXPLAINER_WARM_TORCH"
QUIET_S = 1.0  # no script run started for this long: the process is between pages
POLL_S = 0.1
THREAD_NAME = "torch-warmup"


def enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """False when the environment says LSTM_EXPLAINER_WARM_TORCH=0 / false / no / off."""
    return environ.get(ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def warm_torch() -> bool:
    """Import torch and run one tiny nn.LSTM call; False when torch is not installed."""
    from lstm_core import LSTM
    from lstm_core import torch_bridge as tb

    if not tb.torch_available():
        return False
    tb.run_torch(tb.to_torch(LSTM(2, 3, seed=0)), np.zeros((4, 2)))
    return True


class TorchWarmup:
    """One background warm-up: `start()` once, `touch()` at the start of every script run."""

    def __init__(
        self,
        work: Callable[[], object] = warm_torch,
        quiet_s: float = QUIET_S,
        busy: Callable[[], bool] = lambda: False,
    ) -> None:
        """`busy()`: a script run is in progress now (it may have started long ago)."""
        self._work = work
        self._busy = busy
        self.quiet_s = quiet_s
        self._last_touch = time.monotonic()
        self.started_at: float | None = None  # time.monotonic() when the work began
        self.result: object = None
        self.error: BaseException | None = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)

    def touch(self) -> None:
        """A script run starts: the warm-up waits for the next quiet spell."""
        self._last_touch = time.monotonic()

    def start(self) -> TorchWarmup:
        self.thread.start()
        return self

    def _run(self) -> None:
        try:
            while time.monotonic() - self._last_touch < self.quiet_s or self._busy():
                time.sleep(POLL_S)  # a background thread with nothing to wait on but the clock
            self.started_at = time.monotonic()
            self.result = self._work()
        except BaseException as e:  # noqa: BLE001  (a failed warm-up must not kill anything)
            self.error = e
        finally:
            self.done.set()
