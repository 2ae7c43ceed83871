"""The progress stream between the simulator and the CLI: JSON lines appended to a file.

Events: {"event": "plan", "steps": [names]} once, {"event": "start", "name"} before a step,
{"event": "end", "step": {name, result, cycles, detail}, "wall_s"} after it, and
{"event": "done"} when the rehearsal has finished. A file rather than a pipe: the simulator's
stdout belongs to the log, and the file stays behind for whoever wants to look.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class ProgressWriter:
    """The simulator's side: one line per event, flushed at once so the CLI sees it live."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")

    def emit(self, event: str, **fields: Any) -> None:
        with open(self.path, "a") as f:
            f.write(json.dumps({"event": event, **fields}) + "\n")


class ProgressReader:
    """The CLI's side: the events appended since the last call (a partly written last line is
    left for the next call)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def new_events(self) -> Iterator[dict[str, Any]]:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            return
        end = data.rfind(b"\n") + 1
        self.offset += end
        for line in data[:end].splitlines():
            if line.strip():
                yield json.loads(line)
