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


@pytest.mark.parametrize("text, message", [
    ("CHANNELS=0", "CHANNELS=0 is not supported: dma_top takes CHANNELS 1..16"),
    ("CHANNELS=17", "takes CHANNELS 1..16"),
    ("DATA_WIDTH=48", "DATA_WIDTH=48 is not supported: dma_top takes DATA_WIDTH 32, 64 or 128"),
    ("ADDR_WIDTH=16", "takes ADDR_WIDTH 32..64"),
    ("ADDR_WIDTH=65", "takes ADDR_WIDTH 32..64"),
    ("MAX_XOR_SRCS=1", "takes MAX_XOR_SRCS 2..16"),
    ("MAX_XOR_SRCS=17", "takes MAX_XOR_SRCS 2..16"),
])
def test_values_dma_top_does_not_support_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        runner.parse_params(text)


def test_the_limits_are_accepted() -> None:
    for text in ("CHANNELS=1 DATA_WIDTH=32 ADDR_WIDTH=32 MAX_XOR_SRCS=2",
                 "CHANNELS=16 DATA_WIDTH=128 ADDR_WIDTH=64 MAX_XOR_SRCS=16"):
        runner.check_params(runner.parse_params(text))
    for params in runner.PARAM_SETS.values():
        runner.check_params(runner.full_params(params))


def test_build_refuses_bad_parameters_before_building() -> None:
    with pytest.raises(ValueError, match="CHANNELS=0"):
        runner.build("icarus", {"CHANNELS": 0})


@pytest.mark.parametrize("text, flag", [("0", False), ("1", True)])
def test_waves_flag(text: str, flag: bool) -> None:
    assert runner.parse_flag("WAVES", text) is flag


@pytest.mark.parametrize("text", ["", "yes", "2", "true"])
def test_waves_flag_is_0_or_1(text: str) -> None:
    with pytest.raises(ValueError, match="WAVES must be 0 or 1"):
        runner.parse_flag("WAVES", text)


def test_seed() -> None:
    assert runner.parse_seed("") is None
    assert runner.parse_seed("0x10") == 16
    with pytest.raises(ValueError, match="SEED must be an integer, got 'abc'"):
        runner.parse_seed("abc")


def test_relative_test_dir_is_taken_from_the_caller(tmp_path, monkeypatch) -> None:
    caller, here = tmp_path / "caller", tmp_path / "here"
    (caller / "mine").mkdir(parents=True)
    (here / "theirs").mkdir(parents=True)
    monkeypatch.chdir(here)
    assert runner.resolve_test_dir("mine", str(caller)) == caller / "mine"
    # a caller that did not update PWD: the current directory has the folder
    assert runner.resolve_test_dir("theirs", str(caller)) == here / "theirs"
    # neither has it: the caller's path, for the error message
    assert runner.resolve_test_dir("nowhere", str(caller)) == caller / "nowhere"
    assert runner.resolve_test_dir(str(caller / "mine"), None) == caller / "mine"


def test_compiler_messages_pick_the_complaint(tmp_path) -> None:
    log = tmp_path / "build.log"
    log.write_text("INFO building\nrtl/x.v:3: syntax error\nI give up.\n")
    assert runner.compiler_messages(log) == "  rtl/x.v:3: syntax error"
    log.write_text("".join(f"line {i}\n" for i in range(30)))
    assert runner.compiler_messages(log, limit=2) == "  line 28\n  line 29"
    assert "no build log" in runner.compiler_messages(tmp_path / "missing.log")
