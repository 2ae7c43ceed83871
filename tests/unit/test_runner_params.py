"""tb.runner's handling of RTL parameters: what `make sim PARAMS=...` accepts and refuses."""

import pytest

from tb import runner


def test_parse_params_accepts_names_and_bases() -> None:
    assert runner.parse_params("CHANNELS=8 DATA_WIDTH=0x80") == {"CHANNELS": 8, "DATA_WIDTH": 128}
    assert runner.parse_params("") == {}
    assert runner.parse_params(None) == {}


@pytest.mark.parametrize("text, message", [
    ("CHANNELS", "expected NAME=VALUE"),
    ("=4", "expected NAME=VALUE"),
    ("LANES=4", "unknown RTL parameter 'LANES'"),
    ("CHANNELS=four", "needs an integer"),
])
def test_parse_params_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        runner.parse_params(text)


def test_params_key_is_stable_and_complete() -> None:
    assert runner.params_key({}) == "ch4_dw64_aw32_x8"
    assert runner.params_key({"DATA_WIDTH": 128, "CHANNELS": 8}) == "ch8_dw128_aw32_x8"
    keys = {runner.params_key(p) for p in runner.PARAM_SETS.values()}
    assert len(keys) == len(runner.PARAM_SETS)  # one build directory per parameter set


def test_unknown_simulator_is_refused() -> None:
    with pytest.raises(runner.ToolError, match="unknown simulator 'questa'"):
        runner.check_simulator("questa")
