"""Evaluating a compositional function on its cDAG (eq-03-compositional), and the two bounds the chapter derives
following Ram et al. (2024):

- P1 (locus of influence bounds sensitivity): if g is lam-Lipschitz in each argument and h is L_h-Lipschitz,
  moving e(x_i) by delta moves f by at most L_h * |delta| * LoI_i(lam).
- P2 (error propagation): if g is lam-Lipschitz per argument and g_hat is within eps of g on every input that
  occurs, then |f_hat - f| <= L_h * eps * error_gain(D, lam) (exact e and h here; by the triangle inequality
  |z_hat_v - z_v| <= |g_hat(z_hat) - g(z_hat)| + |g(z_hat) - g(z)| at every node).

The checks run a batch of random instances at once: every tensor carries a leading trial axis B.
"""

from __future__ import annotations

from typing import Callable, Sequence

import pandas as pd
import torch

from .cdag import CDag, error_gain, loi

Args = Sequence["torch.Tensor | None"]


def forward(d: CDag, enc: Callable, g: Callable[[Args], torch.Tensor], h: Callable, tokens: Sequence):
    """h(g^{(x)D}(e(x_1, 1), ..., e(x_L, L))): g is applied in topological order to its parents' values, listed
    by argument slot (a slot without a parent, such as a recurrent model's initial state, is None)."""
    if len(tokens) != d.L:
        raise ValueError(f"the cDAG has {d.L} sources, got {len(tokens)} tokens")
    value = {s: enc(tok, i) for i, (s, tok) in enumerate(zip(d.sources, tokens))}
    for v in d.internal:
        slots = {d.graph.edges[u, v]["slot"]: value[u] for u in d.graph.predecessors(v)}
        value[v] = g([slots.get(j) for j in range(max(slots) + 1)])
    return h(value[d.sink])


def lipschitz_tanh_processor(dim: int, arity: int, lam: float, *, trials: int, generator: torch.Generator):
    """g(z_1, ..., z_q) = tanh(sum_j W_j z_j) with a random W_j per trial of spectral norm exactly lam, so g is
    lam-Lipschitz in each argument (tanh is 1-Lipschitz). Arguments are (B, dim); returns g and W (q, B, dim, dim)."""
    W = torch.randn(arity, trials, dim, dim, generator=generator, dtype=torch.float64)
    W = W * (lam / torch.linalg.matrix_norm(W, ord=2))[..., None, None]  # (q, B, dim, dim)

    def g(args: Args) -> torch.Tensor:
        if len(args) > arity:
            raise ValueError(f"the processor takes at most {arity} arguments, got {len(args)}")
        return torch.tanh(sum(torch.einsum("bij,bj->bi", W[j], z) for j, z in enumerate(args) if z is not None))

    return g, W


def _instance(d: CDag, dim: int, lam: float, trials: int, generator: torch.Generator):
    """Random token values (L, B, dim) and a random lam-Lipschitz processor wide enough for d."""
    width = max(max(d.graph.edges[u, v]["slot"] for u in d.graph.predecessors(v)) + 1 for v in d.internal)
    g, _ = lipschitz_tanh_processor(dim, width, lam, trials=trials, generator=generator)
    z = torch.randn(d.L, trials, dim, generator=generator, dtype=torch.float64)  # (L, B, dim)
    return z, g


def _unit(shape, generator) -> torch.Tensor:
    u = torch.randn(*shape, generator=generator, dtype=torch.float64)
    return u / torch.linalg.vector_norm(u, dim=-1, keepdim=True)


def sensitivity_ratio(d: CDag, dim: int, lam: float, delta: float, trials: int, *,
                      generator: torch.Generator) -> pd.DataFrame:
    """P1 on `trials` random instances: per token i (moved alone), the largest and mean observed
    |f(z + delta_i) - f(z)| / |delta| (h the identity, L_h = 1) beside the bound LoI_i(lam), and their ratio."""
    z, g = _instance(d, dim, lam, trials, generator)
    f = lambda values: forward(d, lambda zi, i: zi, g, lambda out: out, list(values))
    base = f(z)  # (B, dim)
    bound, rows = loi(d, lam), []
    for i in range(d.L):  # each token in turn
        moved = z.clone()
        moved[i] += delta * _unit((trials, dim), generator)
        gain = torch.linalg.vector_norm(f(moved) - base, dim=-1) / delta  # (B,)
        rows.append({"token": i, "bound": bound[i], "max_gain": float(gain.max()), "mean_gain": float(gain.mean())})
    table = pd.DataFrame(rows)
    return table.assign(max_ratio=table["max_gain"] / table["bound"])


def error_propagation(d: CDag, dim: int, lam: float, eps: Sequence[float], trials: int, *,
                      generator: torch.Generator) -> pd.DataFrame:
    """P2 on `trials` random instances: g_hat = g + eps * u_v (a fresh unit vector at every application), exact e
    and h; per eps the largest and mean |f_hat - f| beside the bound eps * error_gain(d, lam), and their ratio."""
    z, g = _instance(d, dim, lam, trials, generator)
    run = lambda proc: forward(d, lambda zi, i: zi, proc, lambda out: out, list(z))
    exact, gain, rows = run(g), error_gain(d, lam), []
    for e in eps:
        noisy = run(lambda args: g(args) + e * _unit((trials, dim), generator))
        err = torch.linalg.vector_norm(noisy - exact, dim=-1)  # (B,)
        rows.append({"eps": e, "bound": e * gain, "max_err": float(err.max()), "mean_err": float(err.mean())})
    table = pd.DataFrame(rows)
    return table.assign(max_ratio=table["max_err"] / table["bound"])
