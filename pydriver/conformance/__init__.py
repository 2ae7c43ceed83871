"""The conformance checker: does a dmaengine provider keep the rules async_tx and dmaengine
clients rely on? (docs/conformance.md)

``ConformanceChecker().attach(device)`` instruments any DmaDevice (ours, SoftDmaDevice or a
user's driver built from the provider building blocks) while a workload runs;
``run_conformance(device, mem)`` runs the standard workload under a checker and returns the
:class:`ConformanceReport`. The mutation suite (:mod:`pydriver.conformance.mutants`) holds
deliberately broken providers, each caught by the rule it breaks; ``python -m
pydriver.conformance`` (``make conformance``) runs them all.
"""

from .checker import ConformanceChecker
from .report import FAIL, NOT_EXERCISED, PASS, ConformanceReport, Violation, format_table
from .rules import RULE_TEXT, RULES
from .run import run_conformance

__all__ = [
    "RULES",
    "RULE_TEXT",
    "PASS",
    "FAIL",
    "NOT_EXERCISED",
    "ConformanceChecker",
    "ConformanceReport",
    "Violation",
    "format_table",
    "run_conformance",
]
