"""The grid transformer of Ito et al. (arXiv 2406.08272; the companion project's `transformer_main.py`): cells
embedded by Linear(5 -> d), post-LN blocks with the positional encoding added before attention (eq-05-block),

    x <- x + P;   x <- LN(x + MHA(x));   x <- LN(x + GELU(W2 GELU(W1 x))),

and the answer read from the last cell (15) alone, so that the model must route the target's row and column to
a fixed position: without position information it cannot tell which cells share the target's lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..core.rng import int_seed, rng
from .lst import CELLS, SIDE
from .pe import KINDS, TABLE_KINDS, PositionalEncoding

N_ANSWERS = 4
N_CHANNELS = 5


@dataclass(frozen=True)
class GridTransformerConfig:
    pe: str = "learn"  # one of pe.KINDS
    sigma: float = 0.1  # learnable PE: init std σ
    d: int = 32
    layers: int = 2
    heads: int = 2
    pe_every_block: bool = False  # table kinds: a table per block, added before it (the reference), or one at the input

    def __post_init__(self):
        if self.pe not in KINDS:
            raise ValueError(f"unknown positional encoding {self.pe!r}; choose from {KINDS}")
        if self.pe == "sin2d" and self.d % 4:
            raise ValueError(f"d = {self.d} must be divisible by 4 for sin2d (two sinusoids of d/2)")
        if self.d % self.heads:
            raise ValueError(f"d = {self.d} must be divisible by heads = {self.heads}")


class SelfAttention(nn.Module):
    """Multi-head self-attention (non-causal) through which the encoding can rotate q, k or bias the scores."""

    def __init__(self, d: int, heads: int):
        super().__init__()
        self.heads, self.qkv, self.out = heads, nn.Linear(d, 3 * d), nn.Linear(d, d)

    def forward(self, x: Tensor, pe: PositionalEncoding) -> Tensor:
        b, n, d = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)  # (B, H, n, dh)
        q, k = pe.queries_keys(q, k)
        bias = pe.attention_bias()  # (H, n, n) or None
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=None if bias is None else bias.to(q.dtype))
        return self.out(y.transpose(1, 2).reshape(b, n, d))  # (B, n, d)


class Block(nn.Module):
    """One post-LN block of eq-05-block (MLP width 4d, dropout 0)."""

    def __init__(self, d: int, heads: int):
        super().__init__()
        self.attn, self.ln1, self.ln2 = SelfAttention(d, heads), nn.LayerNorm(d), nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d), nn.GELU())

    def forward(self, x: Tensor, pe: PositionalEncoding) -> Tensor:
        x = self.ln1(x + self.attn(x, pe))
        return self.ln2(x + self.mlp(x))


class GridTransformer(nn.Module):
    """Tokens (B, 16, 5) -> logits (B, 4). Every block has its own encoding module, as in the reference: rotary
    and relative kinds act in every block; table kinds add a table before block 0 only, or before every block
    (pe_every_block; learnable tables drawn independently). Weights come from `seed`, learnable tables from
    streams of their own, so two models of one seed that differ only in σ start from the same Z, scaled."""

    def __init__(self, cfg: GridTransformerConfig, *, seed: int):
        super().__init__()
        self.cfg = cfg
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int_seed(seed, "grid-transformer"))
            self.embed = nn.Linear(N_CHANNELS, cfg.d)
            self.blocks = nn.ModuleList(Block(cfg.d, cfg.heads) for _ in range(cfg.layers))
            self.readout = nn.Linear(cfg.d, N_ANSWERS)
        self.pes = nn.ModuleList(
            PositionalEncoding(cfg.pe if i == 0 or cfg.pe_every_block or cfg.pe not in TABLE_KINDS else "nope",
                               SIDE, SIDE, cfg.d, cfg.heads, sigma=cfg.sigma, generator=rng(seed, "learnable-pe", i))
            for i in range(cfg.layers))

    @property
    def table(self) -> Tensor | None:
        """The input table P (16, d) of block 0 (None for kinds without one): what the alignment analysis reads."""
        return self.pes[0].P

    def forward(self, tokens: Tensor, *, noise: float = 0.0, scaled: bool = False,
                generator: torch.Generator | None = None) -> Tensor:
        """Logits (B, 4). noise > 0 adds Gaussian noise to the embeddings entering every block, before its
        encoding (as the reference): std `noise` (the reference's fixed protocol, 0.2), or, `scaled`, noise x each
        token's RMS, the same signal-to-noise ratio whatever the scale of P. Draws come from `generator` (CPU)."""
        x = self.embed(tokens.to(self.embed.weight.dtype))  # (B, 16, d)
        for block, pe in zip(self.blocks, self.pes):
            if noise > 0:
                eps = torch.randn(x.shape, generator=generator, dtype=x.dtype).to(x.device)
                x = x + noise * eps * (x.pow(2).mean(-1, keepdim=True).sqrt() if scaled else 1.0)
            x = block(pe.add(x), pe)
        return self.readout(x[:, CELLS - 1])  # (B, 4)
