"""The repository's documentation stands on its own: code and docs cite only pages inside it,
every rule cited exists in docs/kernel-model.md, and every relative link in the docs resolves."""

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KERNEL_MODEL = REPO / "docs" / "kernel-model.md"


def tracked(*patterns: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files", *patterns], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout
    return [REPO / p for p in out.split() if (REPO / p).is_file()]


def test_no_references_to_documents_outside_the_repository() -> None:
    # spelled in pieces so that this file does not match itself
    outside = re.compile("|".join(["CONT" + "RACT", "SEMAN" + "TICS", "ARCHI" + "TECTURE",
                                   r"[Ii]ssue [0-9]", r"\bitems? [0-9]", r"\.\./" + "shared"]))
    hits = [f"{p.relative_to(REPO)}:{n}: {line.strip()}"
            for p in tracked("*.py", "*.md", "*.v", "*.rdl", "*.sh", "Makefile", ".ci/run")
            for n, line in enumerate(p.read_text(errors="replace").splitlines(), 1)
            if outside.search(line)]
    assert not hits, "cite docs/ pages instead:\n  " + "\n  ".join(hits)


def test_every_cited_rule_exists() -> None:
    defined = set(re.findall(r"\*\*(R\d+)\*\*", KERNEL_MODEL.read_text()))
    assert defined == {f"R{n}" for n in range(1, 85)}
    cited = {m for p in tracked("*.py") for m in re.findall(r"\b(R\d+)[a-z]?\b", p.read_text())}
    assert cited, "the code cites the kernel model's rules"
    assert cited <= defined, f"cited but not in docs/kernel-model.md: {sorted(cited - defined)}"


def test_relative_links_in_the_docs_resolve() -> None:
    broken = []
    for page in tracked("*.md"):
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if "://" not in target and not (page.parent / target).exists():
                broken.append(f"{page.relative_to(REPO)} -> {target}")
    assert not broken, "broken links:\n  " + "\n  ".join(broken)
