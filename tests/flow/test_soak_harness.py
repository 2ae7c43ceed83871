"""The `make soak` harness works (tb/soak.py, tests/soak/): a short soak on Icarus runs rounds with
faults, prints its seed and counts, and accounts for every operation it posted. The long soak
itself (10^4 operations on Verilator) is not part of `make test`."""

from __future__ import annotations

import re

from tb import runner

SOAK_DIR = runner.REPO / "tests" / "soak"


def test_short_soak_accounts_for_every_operation() -> None:
    runner.run("icarus", "soak_tests", SOAK_DIR, {}, seed=3,
               extra_env={"DMASIM_SOAK_OPS": "40", "DMASIM_SEED": "11"})
    log = (runner.BUILD_DIR / "run" / runner.run_key("icarus", {}) / "soak_tests" /
           "sim.log").read_text()
    assert "soak: seed 11 (rerun with DMASIM_SEED=11)" in log
    posted = int(re.search(r"(\d+) operations posted", log).group(1))
    counts = re.search(r"completed (\d+), failed with the expected error (\d+), abandoned behind "
                       r"a fault (\d+), LOST (\d+)", log)
    completed, failed, abandoned, lost = map(int, counts.groups())
    assert posted >= 40 and lost == 0
    assert completed + failed + abandoned == posted
