"""Draw docs/architecture.png, the data-flow picture of docs/architecture.md.

Run it after changing the picture: `.venv/bin/python scripts/draw_architecture.py`. The ASCII
version in docs/architecture.md says the same thing and is what a terminal shows.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "docs" / "architecture.png"

SOFTWARE = "#dbe9f6"
SEAM = "#fde9c8"
HARDWARE = "#dcefdc"
MEMORY = "#eeeeee"

# name: (x, y, width, height, colour, text)
BOXES = {
    "client": (0.5, 10.2, 5.0, 0.9, SOFTWARE, "client: test, dmatest, bring-up demo"),
    "async_tx": (0.5, 8.8, 5.0, 0.9, SOFTWARE,
                 "pydriver.async_tx\nchannel choice, dependencies, CPU fallback"),
    "dmaengine": (0.5, 7.4, 5.0, 0.9, SOFTWARE,
                  "pydriver.dmaengine\nchannels, references, per-CPU table, cookies"),
    "driver": (0.5, 6.0, 5.0, 0.9, SOFTWARE,
               "provider driver\nprep -> descriptors, tx_submit, issue_pending"),
    "tasklet": (0.5, 4.2, 5.0, 0.9, SOFTWARE,
                "IRQ handler -> tasklet\ncompletions, callbacks, dependencies"),
    "seam": (0.5, 2.6, 5.0, 0.9, SEAM,
             "register seam (tb/ adapter)\nread32, posted write32, interrupts"),
    "memory": (7.0, 6.0, 4.5, 0.9, MEMORY, "SystemMemory = AxiRam storage\n(descriptors, buffers)"),
    "csr": (7.0, 2.6, 4.5, 0.9, HARDWARE, "dma_csr\nAXI4-Lite registers"),
    "chan": (7.0, 1.2, 4.5, 0.9, HARDWARE,
             "CHANNELS x dma_chan\nfetch, decode, mover, completion, irq"),
    "arb": (7.0, 4.2, 4.5, 0.9, HARDWARE, "dma_axi_arb\none AXI4 master, round-robin"),
}

# (from, to, label, from side, to side, curvature, label position)
ARROWS = [
    ("client", "async_tx", "", "bottom", "top", 0, None),
    ("async_tx", "dmaengine", "", "bottom", "top", 0, None),
    ("dmaengine", "driver", "", "bottom", "top", 0, None),
    ("driver", "memory", "writes\ndescriptors", "right", "left", 0, (6.25, 6.85)),
    ("driver", "seam", "doorbell\n(TAIL write)", "left", "left", 0.45, (-0.55, 4.65)),
    ("seam", "csr", "s_axil_*", "right", "left", 0, (6.25, 3.2)),
    ("csr", "chan", "", "bottom", "top", 0, None),
    ("chan", "arb", "bursts", "right", "right", 0.45, (12.2, 3.2)),
    ("arb", "memory", "m_axi_*", "top", "bottom", 0, (9.9, 5.5)),
    ("chan", "seam", "irq[n]", "left", "bottom", 0, (4.9, 1.85)),
    ("seam", "tasklet", "hard-IRQ", "top", "bottom", 0, (3.45, 3.8)),
]


def anchor(name: str, side: str) -> tuple[float, float]:
    x, y, w, h, _, _ = BOXES[name]
    return {"top": (x + w / 2, y + h), "bottom": (x + w / 2, y), "left": (x, y + h / 2),
            "right": (x + w, y + h / 2)}[side]


def main() -> None:
    fig, ax = plt.subplots(figsize=(10, 9))
    ax.set_xlim(-1.2, 12.9)
    ax.set_ylim(0.6, 11.4)
    ax.axis("off")
    ax.plot([6.25, 6.25], [0.8, 11.0], color="#999999", lw=1, ls="--")
    ax.text(3.0, 11.3, "Python (pydriver/, tb/)", ha="center", va="top", fontsize=11,
            weight="bold")
    ax.text(9.25, 11.3, "simulator (rtl/ dma_top)", ha="center", va="top", fontsize=11,
            weight="bold")
    for x, y, w, h, colour, text in BOXES.values():
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.05", fc=colour,
                                    ec="#555555"))
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=9)
    for src, dst, label, s_side, d_side, rad, where in ARROWS:
        ax.add_patch(FancyArrowPatch(anchor(src, s_side), anchor(dst, d_side),
                                     arrowstyle="-|>", mutation_scale=14,
                                     connectionstyle=f"arc3,rad={rad}", color="#333333", lw=1.2))
        if label:
            ax.text(*where, label, ha="center", va="center", fontsize=8, color="#333333")
    fig.savefig(OUT, dpi=110, bbox_inches="tight")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
