"""One Jupyter kernel that runs a lesson's cells one at a time, as a student's notebook would, for the tests that
put many wrong answers into the same notebook (the mistake catalogue, the mutation test)."""

from __future__ import annotations

import os
import queue
import re
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.manager import start_new_kernel

SOLUTION = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$", re.MULTILINE)
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.DOTALL)


def solution_code(source: str) -> str:
    """A source cell as a student who solved it would have it: the solution without nbgrader's markers."""
    return "\n".join(line for line in source.splitlines() if not SOLUTION.match(line))


def visible_part(source: str) -> str:
    """A source test cell without its hidden tests: what the student sees."""
    return HIDDEN.sub("", source)


@dataclass
class Outcome:
    ok: bool
    message: str = ""  # "ErrorName: text" when the cell raised
    timed_out: bool = False


class LessonKernel:
    """A python3 kernel in ``cwd``, matplotlib drawing off screen, the environment a student has (not nbgrader's)."""

    def __init__(self, cwd: Path, timeout: float = 60.0):
        self.cwd, self.timeout = cwd, timeout
        self.prelude: list[str] = []
        self._start()

    def _start(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
        env["MPLBACKEND"] = "Agg"
        self.km, self.kc = start_new_kernel(kernel_name="python3", cwd=str(self.cwd), env=env)

    def run(self, code: str, timeout: float | None = None) -> Outcome:
        try:
            reply = self.kc.execute_interactive(
                code, timeout=timeout or self.timeout, output_hook=lambda msg: None, store_history=False
            )
        except (TimeoutError, queue.Empty):
            self.restart()
            return Outcome(False, "timed out", timed_out=True)
        content = reply["content"]
        if content["status"] == "ok":
            return Outcome(True)
        return Outcome(False, f"{content.get('ename', 'Error')}: {content.get('evalue', '')}")

    def run_prelude(self, cells: list[str]) -> None:
        """Run the notebook's cells in order (errors are expected where exercises are stubs), and remember them."""
        self.prelude = list(cells)
        for code in cells:
            self.run(code)

    def restart(self) -> None:
        self.shutdown()
        self._start()
        for code in self.prelude:
            self.run(code)

    def shutdown(self) -> None:
        try:
            self.kc.stop_channels()
            self.km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001 - a kernel that is already gone is fine
            pass
