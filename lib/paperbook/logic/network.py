"""The Neural Reasoning Network: alternating AND / OR layers over input predicates, one channel per class."""

from __future__ import annotations

from typing import Literal, Sequence

import torch
from torch import Tensor, nn

from .neurons import LogicLayer

EPS = 1e-6  # the output truth is clipped to [EPS, 1 - EPS] before the logit


def layer_kinds(normal_form: Literal["cnf", "dnf"], n_layers: int) -> list[str]:
    """Kinds of the hidden layers and the output neuron: cnf starts with OR, dnf with AND, then they alternate."""
    if normal_form not in ("cnf", "dnf"):
        raise ValueError(f"normal_form must be 'cnf' or 'dnf', got {normal_form!r}")
    first, second = ("or", "and") if normal_form == "cnf" else ("and", "or")
    return [first if i % 2 == 0 else second for i in range(n_layers + 1)]


class NRN(nn.Module):
    """Hidden layers of sizes `layer_sizes` and one output neuron per class, kinds from `layer_kinds`.

    The input layer reads k_in predicates per neuron, deeper layers k_internal, the output k_out (each capped at
    the width below it). The output truth y gives the logit log(y / (1 - y)) with y clipped to [EPS, 1 - EPS],
    trained with BCEWithLogitsLoss. That clip passes no gradient, as torch.logit's eps does in the official code:
    made straight-through, it would give a correct, saturated output a gradient of -log(y)'s slope at y = 1 and
    push its weights up without end."""

    def __init__(self, n_inputs: int, layer_sizes: Sequence[int] = (8, 8), k_in: int = 4, k_internal: int = 4,
                 k_out: int = 4, normal_form: Literal["cnf", "dnf"] = "cnf", n_classes: int = 1,
                 weight_init: float = 0.2, *, generator: torch.Generator):
        super().__init__()
        if not layer_sizes:
            raise ValueError("an NRN needs at least one hidden layer")
        kinds = layer_kinds(normal_form, len(layer_sizes))
        widths = [n_inputs, *layer_sizes, 1]
        ks = [k_in] + [k_internal] * (len(layer_sizes) - 1) + [k_out]
        self.n_inputs, self.n_classes, self.normal_form = n_inputs, n_classes, normal_form
        self.layers = nn.ModuleList(
            LogicLayer(widths[i], widths[i + 1], min(ks[i], widths[i]), kinds[i], n_classes, weight_init,
                       generator=generator) for i in range(len(kinds)))

    @property
    def input_layer(self) -> LogicLayer:
        """The layer the bandit rewires."""
        return self.layers[0]

    def truth(self, x: Tensor) -> Tensor:
        """(B, n_inputs) predicate truths -> (B, n_classes) output truths in [0, 1]."""
        h = x.unsqueeze(1).expand(-1, self.n_classes, -1)  # (B, C, n_inputs)
        for layer in self.layers:
            h = layer(h)  # (B, C, width)
        return h[..., 0]

    def forward(self, x: Tensor) -> Tensor:
        """(B, n_inputs) -> logits (B, n_classes)."""
        return torch.logit(self.truth(x), eps=EPS)

    def bounds(self, lo: Tensor, hi: Tensor) -> tuple[Tensor, Tensor]:
        """Sound bounds (B, n_classes) on the output truth over the predicate box [lo, hi] (each (B, n_inputs)):
        exact per neuron, possibly loose for the network, whose neurons share inputs."""
        lo, hi = (t.unsqueeze(1).expand(-1, self.n_classes, -1) for t in (lo, hi))
        for layer in self.layers:
            lo, hi = layer.bounds(lo, hi)
        return lo[..., 0], hi[..., 0]

    def n_params(self, count_bandit: bool = False) -> int:
        """Trainable weights; with count_bandit, plus the paper's 2 per predicate and class (the bandit's mean and
        standard deviation, as experiments/main.py of the official code counts them)."""
        weights = sum(p.numel() for p in self.parameters())
        return weights + (2 * self.n_inputs * self.n_classes if count_bandit else 0)
