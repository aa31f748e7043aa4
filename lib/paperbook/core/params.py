"""Typed papermill parameters: a declared spec, and validation that fails before any compute.

papermill only warns on an unknown parameter name and passes `-p lr 1` as an int; a chapter calls
`validate` first so that a typo, a wrong type or an out-of-range value stops the run with a message
naming the parameter and what it allows. An int is accepted for a float (widening, as Python does).
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, make_dataclass
from typing import Any, Mapping

# Names IPython puts into a kernel's namespace; never parameters.
_KERNEL_NAMES = {"In", "Out", "exit", "quit", "get_ipython"}
_LITERALS = (bool, int, float, str, list, tuple, dict, type(None))


class ParameterError(ValueError):
    """A papermill parameter is unknown, mistyped or out of range."""


@dataclass(frozen=True)
class Param:
    type: type                     # bool, int, float, str or list
    low: float | None = None       # inclusive lower bound (numbers, or each item of a list)
    high: float | None = None      # inclusive upper bound
    choices: tuple | None = None   # allowed values (a str, or each item of a list)
    item: "type | Param | None" = None  # element type of a list, or a Param for each item (lists of lists)
    min_len: int = 1               # shortest allowed list

    def allowed(self) -> str:
        """What the parameter accepts, in words."""
        kind = {bool: "true/false", int: "an integer", float: "a number", str: "a string"}.get(self.type)
        if self.type is list:
            each = self.item if isinstance(self.item, Param) else Param(self.item)
            kind = f"a list of at least {self.min_len} {each.allowed()} item(s)"
        bounds = [f">= {self.low}" if self.low is not None else "", f"<= {self.high}" if self.high is not None else ""]
        bounds = " and ".join(b for b in bounds if b)
        if self.choices is not None:
            bounds = "one of " + ", ".join(map(repr, self.choices))
        return f"{kind}{' ' + bounds if bounds else ''}{' (each item)' if self.type is list and bounds else ''}"

    def annotation(self) -> str:
        """The type annotation the parameters cell writes: int, list[float], list[list[int]]."""
        if self.type is not list:
            return self.type.__name__
        return f"list[{self.item.annotation() if isinstance(self.item, Param) else self.item.__name__}]"

    def _inner(self) -> "Param":
        """The spec of each item of a list."""
        return self.item if isinstance(self.item, Param) else Param(self.item, self.low, self.high, self.choices)

    def check(self, value: Any) -> Any:
        """The value, coerced where lossless (int -> float, tuple -> list); raises ValueError otherwise."""
        if self.type is list:
            if not isinstance(value, (list, tuple)) or len(value) < self.min_len:
                raise ValueError
            return [self._inner().check(v) for v in value]
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if type(value) is not self.type or (self.type is float and not math.isfinite(value)):
            raise ValueError
        if self.low is not None and value < self.low or self.high is not None and value > self.high:
            raise ValueError
        if self.choices is not None and value not in self.choices:
            raise ValueError
        return value


def Int(low=None, high=None) -> Param:
    return Param(int, low, high)


def Float(low=None, high=None) -> Param:
    return Param(float, low, high)


def Str(*choices: str) -> Param:
    return Param(str, choices=choices or None)


def Bool() -> Param:
    return Param(bool)


def List(item: "type | Param", low=None, high=None, choices=None, min_len: int = 1) -> Param:
    """A list of `item`s: a type with bounds/choices for each item, or a Param (List(List(int, 1), ...))."""
    return Param(list, low, high, tuple(choices) if choices else None, item, min_len)


def validate(values: Mapping[str, Any], spec: Mapping[str, Param]) -> dict[str, Any]:
    """Check every value against the spec; raise one ParameterError listing every problem."""
    problems = []
    for name in sorted(set(values) - set(spec)):
        close = difflib.get_close_matches(name, spec, n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(f"unknown parameter {name!r}{hint}; known parameters: {', '.join(sorted(spec))}")
    missing = sorted(set(spec) - set(values))
    for name in missing:
        problems.append(f"parameter {name!r} is declared but has no value in the parameters cell")
    checked = {}
    for name in sorted(set(spec) & set(values)):
        try:
            checked[name] = spec[name].check(values[name])
        except (ValueError, TypeError):
            problems.append(f"parameter {name!r} = {values[name]!r} ({type(values[name]).__name__}) is not "
                            f"allowed: expected {spec[name].allowed()}")
    if problems:
        raise ParameterError("bad papermill parameter(s):\n  - " + "\n  - ".join(problems))
    return {name: checked[name] for name in spec}


def from_namespace(namespace: Mapping[str, Any], spec: Mapping[str, Param]) -> dict[str, Any]:
    """Validated parameters read from a notebook's globals.

    Any public literal-valued global is a candidate, so a name papermill injected without the
    notebook declaring it is caught as unknown. The parameters cell must be the first code cell.
    """
    candidates = {k: v for k, v in namespace.items()
                  if not k.startswith("_") and k not in _KERNEL_NAMES and isinstance(v, _LITERALS)}
    return validate(candidates, spec)


def as_config(values: Mapping[str, Any], name: str = "Params"):
    """A frozen dataclass instance holding the parameters (lists become tuples)."""
    frozen = lambda v: tuple(map(frozen, v)) if isinstance(v, list) else v
    cls = make_dataclass(name, [(k, type(v)) for k, v in values.items()], frozen=True)
    return cls(**{k: frozen(v) for k, v in values.items()})


# Every chapter has these three; its own spec adds the rest: {**COMMON, ...}.
COMMON = {
    "profile": Str("fast", "full", "custom"),
    "seed": Int(0, 2**31 - 1),
    "device": Str("auto", "cpu", "cuda"),
}
