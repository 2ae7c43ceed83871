"""The profile module: one place that says which kernel the core models; reset() sets it and the
value tables follow it."""

import ast
import inspect

import pytest

from pydriver import async_tx
from pydriver import dmaengine as de
from pydriver.async_tx.flags import PROFILE_FLAGS
from pydriver.dmaengine import profile


def test_reset_activates_the_profile() -> None:
    de.reset("2.6.32")
    assert profile.current_profile() == de.current_profile() == de.state().profile == "2.6.32"
    assert profile.is_32() and de.state().is_32
    de.reset()
    assert profile.current_profile() == profile.P29 and not profile.is_32()


def test_an_unknown_profile_changes_nothing() -> None:
    de.reset("2.6.32")
    with pytest.raises(ValueError, match=r"unknown profile '2\.6\.30'"):
        de.reset("2.6.30")
    assert profile.current_profile() == "2.6.32"


def test_value_tables_follow_the_active_profile() -> None:
    for p in profile.PROFILES:
        de.reset(p)
        assert de.known_ctrl_flags() == de.known_ctrl_flags(p)
        order = list(de.for_each_dma_cap_mask(de.dma_cap_mask_t(*de.DmaTxType)))
        assert order[: len(de.KERNEL_ENUM_ORDER[p])] == list(de.KERNEL_ENUM_ORDER[p])
    assert set(PROFILE_FLAGS) == set(de.KERNEL_ENUM_ORDER) == set(profile.PROFILES)
    assert PROFILE_FLAGS[profile.P29] & async_tx.ASYNC_TX_DEP_ACK
    assert PROFILE_FLAGS[profile.P32] & async_tx.ASYNC_TX_FENCE


def test_it_is_a_leaf() -> None:
    tree = ast.parse(inspect.getsource(profile))
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert [getattr(n, "module", None) for n in imports] == ["__future__"]
