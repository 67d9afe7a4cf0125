"""Drive a real, long-running ``tanyaberita chat`` process: ask a question on its stdin and
read the answer it prints before its next ``? `` prompt."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from benchmarks.processes import ROOT, cli_command

PROMPT = "? "


class ChatProcess:
    def __init__(self, database_url: str, content_dir: Path, *, start_timeout: float = 60) -> None:
        self.process = subprocess.Popen(
            cli_command("--database-url", database_url, "--content-dir", str(content_dir), "chat"),
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=os.environ.copy(),
        )
        self._out = ""
        self._err = ""
        self._changed = threading.Condition()
        for stream, name in ((self.process.stdout, "_out"), (self.process.stderr, "_err")):
            threading.Thread(target=self._pump, args=(stream, name), daemon=True).start()
        self._read = 0
        self._wait_for_prompt(start_timeout)

    def _pump(self, stream: IO[bytes] | None, name: str) -> None:
        assert stream is not None
        fd = stream.fileno()
        while chunk := os.read(fd, 65536):
            with self._changed:
                setattr(self, name, getattr(self, name) + chunk.decode("utf-8", "replace"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def _wait_for_prompt(self, timeout: float) -> str:
        """Everything printed since the last prompt, up to the next one."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                at = self._out.find(PROMPT, self._read)
                if at >= 0 and (at == 0 or self._out[at - 1] == "\n"):
                    text, self._read = self._out[self._read : at], at + len(PROMPT)
                    return text
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    raise TimeoutError(f"no prompt from chat; stderr:\n{self._err[-2000:]}")
                self._changed.wait(left)

    def ask(self, question: str, timeout: float = 30) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write(question.encode() + b"\n")
        self.process.stdin.flush()
        return self._wait_for_prompt(timeout)

    def wait_until(
        self,
        question: str,
        predicate: Callable[[str], bool],
        timeout: float = 20,
        every: float = 0.1,
    ) -> float:
        """Ask ``question`` until ``predicate(answer)`` holds; seconds it took."""
        started = time.monotonic()
        while True:
            if predicate(self.ask(question)):
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"{question!r} not answered as expected within {timeout} s")
            time.sleep(every)

    def close(self) -> tuple[int, str]:
        """``keluar``; the exit code and stderr."""
        if self.process.poll() is None and self.process.stdin is not None:
            try:
                self.process.stdin.write(b"keluar\n")
                self.process.stdin.close()
            except BrokenPipeError:
                pass
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        time.sleep(0.05)  # let the pumps read the last bytes
        return self.process.returncode, self._err

    @property
    def stderr(self) -> str:
        return self._err
