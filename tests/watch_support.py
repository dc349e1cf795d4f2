"""What the `watch` tests share: a tiny workbook, an owner's save from a second process,
and a `salesops watch` process whose output lines are read with bounded waits."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

from sync.backends.xlsx.read import read_tabs
from sync.backends.xlsx.template import write_input_workbook

LINE_WAIT_SECONDS = 120  # bounded: a stuck watch fails the test instead of hanging it
SALESOPS = Path(sys.executable).with_name("salesops")

# Two open deals: D-1 in Lead for 1,000, D-2 in Proposal for 2,000.
TINY_GRIDS = {
    "Settings": [["Setting", "Value"], ["As Of", date(2026, 11, 15)]],
    "Team": [["Rep", "Team"], ["Ana", "North"]],
    "Pipeline": [
        ["Deal ID", "Deal", "Customer", "Owner", "Stage", "Amount", "Created"],
        ["D-1", "Shelving", "Acme", "Ana", "Lead", 1000, date(2026, 10, 1)],
        ["D-2", "Racks", "Bolt", "Ana", "Proposal", 2000, date(2026, 10, 2)],
    ],
}

# Run by a second Python process: the owner's editor saving the workbook with a new Amount
# for D-1 (Pipeline F2), either to a temp file renamed over it or written in place.
OWNER_SAVE = """
import io, os, sys
from openpyxl import load_workbook
path, amount, how = sys.argv[1], float(sys.argv[2]), sys.argv[3]
book = load_workbook(path)
book["Pipeline"]["F2"] = amount
if how == "rename":
    temp = os.path.join(os.path.dirname(path), "lu1234abcd.tmp")
    book.save(temp)
    os.replace(temp, path)
else:
    data = io.BytesIO()
    book.save(data)
    with open(path, "r+b") as handle:
        handle.truncate(0)
        handle.write(data.getvalue())
"""


def tiny_workbook(folder: Path) -> Path:
    """A new workbook with the input tabs and two deals."""
    return write_input_workbook(folder / "sales.xlsx", TINY_GRIDS)


def owner_saves(path: Path, amount: float, how: str = "rename") -> None:
    """Another program saves the workbook with D-1's Amount changed."""
    subprocess.run(
        [sys.executable, "-c", OWNER_SAVE, str(path), str(amount), how],
        check=True, timeout=LINE_WAIT_SECONDS,
    )


def funnel_amount(path: Path, stage: str) -> float:
    """The Funnel's Amount of the `All` row of a stage."""
    funnel = read_tabs(path, ["Funnel"])["Funnel"]
    header = funnel[0]
    for row in funnel[1:]:
        if row[header.index("Rep")] == "All" and row[header.index("Stage")] == stage:
            return float(row[header.index("Amount")])
    raise AssertionError(f"no All/{stage} row in the Funnel")


class WatchProcess:
    """`salesops watch ARGS` in a subprocess; its stdout and stderr read line by line."""

    def __init__(self, *args: str, cwd: Path, env: dict[str, str] | None = None):
        environment = {k: v for k, v in os.environ.items() if not k.startswith("SALESOPS_")}
        environment.update(env or {})
        self.process = subprocess.Popen(
            [str(SALESOPS), "watch", *args],
            cwd=cwd,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # Ctrl-C must reach it even when the tests run as a background job.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.default_int_handler),
        )
        self.lines: queue.Queue[tuple[str, str]] = queue.Queue()
        self.seen: list[str] = []
        self.pumps = [
            threading.Thread(target=self._pump, args=(name, stream), daemon=True)
            for name, stream in (("out", self.process.stdout), ("err", self.process.stderr))
        ]
        for pump in self.pumps:
            pump.start()

    def _pump(self, name: str, stream) -> None:
        for line in stream:
            self.lines.put((name, line.rstrip("\n")))

    def wait_for(self, text: str, stream: str = "out") -> str:
        """The next line of `stream` that contains `text` (other lines are kept in `seen`)."""
        while True:
            try:
                name, line = self.lines.get(timeout=LINE_WAIT_SECONDS)
            except queue.Empty:
                raise AssertionError(
                    f"no line with {text!r} within {LINE_WAIT_SECONDS} s; seen: {self.seen}"
                ) from None
            self.seen.append(f"{name}: {line}")
            if name == stream and text in line:
                return line

    def stdout_lines(self) -> list[str]:
        """Every stdout line seen so far."""
        return [line[5:] for line in self.seen if line.startswith("out: ")]

    def interrupt(self, stop: int = signal.SIGINT) -> int:
        """Ctrl-C (or another signal), then the exit status; the remaining lines go to `seen`."""
        if self.process.poll() is None:
            self.process.send_signal(stop)
        status = self.process.wait(timeout=LINE_WAIT_SECONDS)
        self._drain()
        return status

    def _drain(self) -> None:
        for pump in self.pumps:
            pump.join(timeout=LINE_WAIT_SECONDS)
        while not self.lines.empty():
            name, line = self.lines.get_nowait()
            self.seen.append(f"{name}: {line}")
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def kill(self) -> None:
        """Stop the process (if a test failed before interrupting it) and close its pipes."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=LINE_WAIT_SECONDS)
        self._drain()
