"""The bring-up rehearsal (`dmasim bringup`, `make demo`).

What a bring-up engineer runs on the first day with a new board, against the simulated
controller: identity and registers, interrupts, fault drills, then the provider driver's probe,
dmaengine registration, a client session, dmatest and the conformance checker.

- `rehearsal.py`: the cocotb test module the simulator runs (steps in `steps/`, one per file).
- `sequencer.py`: runs steps in order inside the simulation; an exception is that step's FAIL.
- `result.py`, `progress.py`, `report.py`: results, the progress stream the simulator writes and
  the CLI tails, and the reports (Markdown, JSON, JUnit XML, the terminal table).
- `launch.py`: the CLI side: build, run the simulator with its output in a log file, show
  progress, write the reports.
"""
