"""What the rehearsal's steps share: the bench, the build parameters the user asked for, the
expectations (which the test hooks may change), and what the driver steps build up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydriver import regs
from tb.bringup.inject import Injection
from tb.dma_tb import DmaTb

ID_MAGIC = next(r.reset for r in regs.GLOBAL_REGS if r.name == "ID")


@dataclass
class Context:
    params: dict[str, int]  # every RTL parameter of the build (defaults filled in)
    seed: int
    injection: Injection = field(default_factory=Injection)
    tb: DmaTb | None = None  # the register-level bench (hardware steps)
    system: Any = None  # the simulated system with the provider driver (driver steps)
    registered: bool = False  # the driver's device is registered with the dmaengine core

    @property
    def expect_id(self) -> int:
        inj = self.injection.expect_id
        return ID_MAGIC if inj is None else inj

    @property
    def bench(self) -> DmaTb:
        assert self.tb is not None, "the register-level bench did not start"
        return self.tb
