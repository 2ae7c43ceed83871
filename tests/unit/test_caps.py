"""dma_cap_mask_t, its helpers, the superset rule and the constant values
(docs/kernel-model.md, R1-R3)."""

from __future__ import annotations

import pytest

from pydriver import dmaengine as de
from pydriver.errors import DmaError


def test_helpers_set_test_clear_zero(profile: str) -> None:
    m = de.dma_cap_mask_t()
    assert not de.dma_has_cap(de.DMA_MEMCPY, m)
    de.dma_cap_set(de.DMA_MEMCPY, m)
    de.dma_cap_set(de.DMA_XOR, m)
    assert de.dma_has_cap(de.DMA_MEMCPY, m) and de.dma_has_cap(de.DMA_XOR, m)
    assert not de.dma_has_cap(de.DMA_MEMSET, m)
    de.dma_cap_clear(de.DMA_MEMCPY, m)
    assert not de.dma_has_cap(de.DMA_MEMCPY, m) and de.dma_has_cap(de.DMA_XOR, m)
    de.dma_cap_zero(m)
    assert m == de.dma_cap_mask_t() and len(m) == 0


def test_mask_constructor_copy_and_equality() -> None:
    m = de.dma_cap_mask_t(de.DMA_MEMCPY, de.DMA_XOR)
    c = m.copy()
    assert c == m and c is not m
    de.dma_cap_set(de.DMA_MEMSET, c)
    assert c != m and de.DMA_MEMSET in c and de.DMA_MEMSET not in m
    assert "DMA_MEMCPY" in repr(m)


def test_iteration_follows_the_profiles_enum_order() -> None:
    m = de.dma_cap_mask_t(de.DMA_MEMSET, de.DMA_XOR_VAL, de.DMA_MEMCPY, de.DMA_PQ)
    de.reset("2.6.32")
    assert list(m) == [de.DMA_MEMCPY, de.DMA_PQ, de.DMA_XOR_VAL, de.DMA_MEMSET]
    de.reset("2.6.29")  # no DMA_PQ in 2.6.29's enum: it sorts last
    assert list(m) == [de.DMA_MEMCPY, de.DMA_XOR_VAL, de.DMA_MEMSET, de.DMA_PQ]
    assert list(de.for_each_dma_cap_mask(m, "2.6.32"))[1] is de.DMA_PQ


def test_kernel_enum_orders() -> None:
    o29, o32 = de.KERNEL_ENUM_ORDER["2.6.29"], de.KERNEL_ENUM_ORDER["2.6.32"]
    assert len(o29) == 12 and len(o32) == 10  # DMA_TX_TYPE_END
    assert o29.index(de.DMA_ZERO_SUM) == 5 and o29.index(de.DMA_MEMSET) == 7
    assert o32.index(de.DMA_XOR_VAL) == 3 and o32.index(de.DMA_ASYNC_TX) == 8
    assert de.DMA_ASYNC_TX not in o29 and de.DMA_PQ not in o29


@pytest.mark.parametrize(
    "device, want, ok",
    [
        ((de.DMA_MEMCPY, de.DMA_XOR), (de.DMA_MEMCPY,), True),
        ((de.DMA_MEMCPY, de.DMA_XOR), (de.DMA_MEMCPY, de.DMA_XOR), True),
        ((de.DMA_MEMCPY,), (de.DMA_MEMCPY, de.DMA_XOR), False),
        ((de.DMA_MEMCPY,), (), True),  # the empty mask is satisfied by every device
        ((de.DMA_MEMCPY,), (de.DMA_PRIVATE,), False),
        ((de.DMA_MEMCPY, de.DMA_PRIVATE), (de.DMA_PRIVATE,), True),
    ],
)
def test_superset_rule(device: tuple, want: tuple, ok: bool) -> None:
    assert de.dma_device_satisfies_mask(de.dma_cap_mask_t(*device), de.dma_cap_mask_t(*want)) is ok


@pytest.mark.parametrize("bad", ["DMA_MEMCPY", 1.0, None, True, [0]])
def test_wrong_tx_type_is_refused(bad: object) -> None:
    m = de.dma_cap_mask_t()
    with pytest.raises(DmaError, match="DmaTxType") as e:
        de.dma_cap_set(bad, m)  # type: ignore[arg-type]
    assert isinstance(e.value, TypeError) and e.value.rule == "tx-type"
    assert m.bits == 0


def test_out_of_range_tx_type_is_a_value_error() -> None:
    with pytest.raises(DmaError, match="not a DMA transaction type") as e:
        de.dma_cap_set(99, de.dma_cap_mask_t())  # type: ignore[arg-type]
    assert isinstance(e.value, ValueError)
    m = de.dma_cap_mask_t()
    de.dma_cap_set(0, m)  # a plain int naming a type is accepted
    assert de.dma_has_cap(de.DMA_MEMCPY, m)


@pytest.mark.parametrize("bad", [0, "mask", {de.DMA_MEMCPY}, None])
def test_mask_of_wrong_type_is_refused(bad: object) -> None:
    for call in (
        lambda: de.dma_cap_set(de.DMA_MEMCPY, bad),
        lambda: de.dma_cap_clear(de.DMA_MEMCPY, bad),
        lambda: de.dma_has_cap(de.DMA_MEMCPY, bad),
        lambda: de.dma_cap_zero(bad),
    ):
        with pytest.raises(DmaError, match="dma_cap_mask_t") as e:
            call()
        assert isinstance(e.value, TypeError) and e.value.rule == "mask-type"


def test_constant_values_do_not_depend_on_the_profile() -> None:
    de.reset("2.6.29")
    before = (int(de.DMA_MEMCPY), int(de.DMA_XOR_VAL), int(de.DMA_PRIVATE), int(de.DMA_CTRL_ACK),
              int(de.DMA_PREP_FENCE), int(de.DMA_ERROR))  # fmt: skip
    de.reset("2.6.32")
    after = (int(de.DMA_MEMCPY), int(de.DMA_XOR_VAL), int(de.DMA_PRIVATE), int(de.DMA_CTRL_ACK),
             int(de.DMA_PREP_FENCE), int(de.DMA_ERROR))  # fmt: skip
    assert before == after
    assert de.DMA_ZERO_SUM is de.DMA_XOR_VAL and de.DMA_COMPLETE is de.DMA_SUCCESS


def test_ctrl_flags_and_status_values() -> None:
    assert (de.DMA_PREP_INTERRUPT, de.DMA_CTRL_ACK) == (1, 2)
    assert (de.DMA_COMPL_SKIP_SRC_UNMAP, de.DMA_COMPL_SKIP_DEST_UNMAP) == (4, 8)
    assert de.DMA_PREP_FENCE == 512
    assert (de.DMA_SUCCESS, de.DMA_IN_PROGRESS, de.DMA_ERROR) == (0, 1, 2)
    assert de.known_ctrl_flags("2.6.29") == 0xF
    assert de.known_ctrl_flags("2.6.32") & de.DMA_PREP_FENCE
    de.reset("2.6.32")
    assert de.known_ctrl_flags() == de.known_ctrl_flags("2.6.32")


def test_sumcheck_holder() -> None:
    r = de.SumCheck()
    assert r.value == 0 and de.SUM_CHECK_P_RESULT == 1 and de.SUM_CHECK_Q_RESULT == 2
    r.value = de.SUM_CHECK_P_RESULT
    assert repr(r) == "SumCheck(1)"
