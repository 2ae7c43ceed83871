"""One bring-up step's outcome: what report.json lists for each step (name, result, cycles,
detail). Pure Python: the simulator writes these and the CLI reads them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"
RESULTS = (PASS, FAIL, SKIP)


@dataclass(frozen=True)
class StepResult:
    name: str
    result: str  # PASS, FAIL or SKIP
    cycles: int  # simulated clock cycles the step took
    detail: str  # one line: what was shown, or what failed and what was read instead

    def __post_init__(self) -> None:
        if self.result not in RESULTS:
            raise ValueError(f"step result {self.result!r} is not one of {', '.join(RESULTS)}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> StepResult:
        return cls(str(d["name"]), str(d["result"]), int(d["cycles"]), str(d["detail"]))


def all_passed(results: list[StepResult]) -> bool:
    """The rehearsal's verdict: at least one step, and every step PASS (a SKIP is not a pass)."""
    return bool(results) and all(r.result == PASS for r in results)
