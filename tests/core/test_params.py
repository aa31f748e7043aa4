"""Typed papermill parameters: validation, coercion, error messages, namespace filtering, frozen config."""

import dataclasses
import math

import pytest

from paperbook.core.params import Bool, Float, Int, List, ParameterError, Str, as_config, from_namespace, validate

SPEC = {"lr": Float(0.0, 1.0), "epochs": Int(0), "name": Str("a", "b"), "verbose": Bool(),
        "fills": List(str, choices=("mean", "min")), "betas": List(float, low=1e-6)}
GOOD = {"lr": 0.1, "epochs": 5, "name": "a", "verbose": False, "fills": ["mean"], "betas": [1.0, 2]}


def errors_of(values, spec=SPEC) -> str:
    with pytest.raises(ParameterError) as info:
        validate(values, spec)
    return str(info.value)


def test_accepts_good_values_and_coerces_int_to_float():
    out = validate({**GOOD, "lr": 1}, SPEC)
    assert list(out) == list(SPEC)
    assert out["lr"] == 1.0 and type(out["lr"]) is float
    assert out["betas"] == [1.0, 2.0] and all(type(b) is float for b in out["betas"])
    assert out["epochs"] == 5 and out["fills"] == ["mean"]
    assert validate({**GOOD, "fills": ("min", "mean")}, SPEC)["fills"] == ["min", "mean"]


def test_parameter_error_is_a_value_error():
    assert issubclass(ParameterError, ValueError)


def test_rejects_string_for_float_naming_the_parameter():
    msg = errors_of({**GOOD, "lr": "abc"})
    assert "'lr'" in msg and "'abc'" in msg and "a number" in msg


def test_rejects_out_of_range_int_naming_parameter_and_bound():
    msg = errors_of({**GOOD, "epochs": -3})
    assert "'epochs'" in msg and "-3" in msg and ">= 0" in msg


def test_rejects_float_above_upper_bound():
    assert "<= 1.0" in errors_of({**GOOD, "lr": 1.5})


def test_rejects_unknown_name_with_did_you_mean_hint():
    values = {**GOOD, "epoch": 5}
    msg = errors_of(values)
    assert "unknown parameter 'epoch'" in msg and "did you mean 'epochs'?" in msg
    far = errors_of({**GOOD, "zzzzqqq": 1})
    assert "unknown parameter 'zzzzqqq'" in far and "did you mean" not in far


def test_rejects_missing_names():
    values = dict(GOOD)
    del values["verbose"]
    assert "'verbose' is declared but has no value" in errors_of(values)


def test_reports_every_problem_at_once():
    msg = errors_of({**GOOD, "lr": "x", "epochs": -1})
    assert "'lr'" in msg and "'epochs'" in msg


def test_rejects_list_items_outside_choices_and_short_lists():
    assert "'fills'" in errors_of({**GOOD, "fills": ["mean", "median"]})
    assert "'fills'" in errors_of({**GOOD, "fills": []})
    assert "'betas'" in errors_of({**GOOD, "betas": [1.0, 0.0]})
    assert "'fills'" in errors_of({**GOOD, "fills": "mean"})  # a bare string is not a list


def test_rejects_str_outside_choices():
    assert "'name'" in errors_of({**GOOD, "name": "c"})


@pytest.mark.parametrize("param, value", [("epochs", True), ("epochs", 2.0), ("lr", True), ("verbose", 1),
                                          ("name", None)])
def test_rejects_wrong_types_including_bool_for_numbers(param, value):
    assert f"'{param}'" in errors_of({**GOOD, param: value})


def test_from_namespace_ignores_private_modules_functions_and_kernel_names():
    namespace = {**GOOD, "_private": 3, "__name__": "__main__", "math": math, "helper": lambda: None,
                 "In": ["", "lr = 0.1"], "Out": {1: 2}, "get_ipython": lambda: None, "exit": object()}
    assert from_namespace(namespace, SPEC) == validate(GOOD, SPEC)


def test_from_namespace_catches_an_injected_unknown_literal():
    with pytest.raises(ParameterError, match="unknown parameter 'seeed'"):
        from_namespace({**GOOD, "seeed": 3}, SPEC)


def test_as_config_is_frozen_with_tuples():
    cfg = as_config(validate(GOOD, SPEC), name="Chapter02Params")
    assert type(cfg).__name__ == "Chapter02Params"
    assert cfg.fills == ("mean",) and cfg.betas == (1.0, 2.0) and cfg.lr == 0.1
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.lr = 0.5
    hash(cfg)  # hashable: every field is immutable


def test_lists_of_lists_check_every_inner_list():
    ranges = {"ranges": List(List(int, low=1, min_len=2))}
    assert validate({"ranges": [[2, 6], (8, 12)]}, ranges) == {"ranges": [[2, 6], [8, 12]]}
    for bad in ([[2]], [[0, 3]], [2, 6], [["a", "b"]]):
        with pytest.raises(ParameterError, match="'ranges'.*a list of at least 2 an integer"):
            validate({"ranges": bad}, ranges)
    assert as_config({"ranges": [[2, 6]]}).ranges == ((2, 6),)
    assert ranges["ranges"].annotation() == "list[list[int]]" and Float().annotation() == "float"
