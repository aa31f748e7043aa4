"""Three learners for the tree-ops task, one per kind of cDAG (following Ram et al. 2024):

- TreeNet: the expression's tree as its cDAG; one MLP span processor R^{2D} -> R^D on every internal node (LoI 1).
  structure="gold" uses the true bracketing (input-dependent cDAG); "balanced" and "leftchain" ignore it and use a
  fixed tree over the leaves (input-agnostic cDAGs; they do not see the brackets at all).
- GRUClassifier: a chain over the bracketed token string.
- TfClassifier: a transformer encoder (2 blocks, 4 heads, sinusoidal positions, mean-pooled).

Training runs in float64 with the parameters snapped to a grid after every step (core.training), so that
another CPU, or another thread count, almost always follows the same trajectory.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from ..core.training import adam_train
from .treeops import CLOSE, OPEN, TreeOpsData, balanced, bracketed, leaves, left_chain

STRUCTURES = {"gold": lambda t: t, "balanced": lambda t: balanced(leaves(t)),
              "leftchain": lambda t: left_chain(leaves(t))}
MODELS = ("treenet", "treenet_balanced", "treenet_leftchain", "gru", "transformer")


def _postorder(tree) -> np.ndarray:
    """(nodes, 3) rows [leaf value or -1, left child row, right child row] in post-order (the root last)."""
    rows = []

    def visit(t) -> int:
        if isinstance(t, int):
            rows.append((t, -1, -1))
        else:
            left, right = visit(t[0]), visit(t[1])
            rows.append((-1, left, right))
        return len(rows) - 1

    visit(tree)
    return np.array(rows, dtype=np.int64)


def _heights(rows: np.ndarray) -> np.ndarray:
    h = np.zeros(len(rows), dtype=np.int64)
    for r, (_, left, right) in enumerate(rows):  # post-order: children come first
        if left >= 0:
            h[r] = 1 + max(h[left], h[right])
    return h


class TreeNet(nn.Module):
    """z_leaf = E[value]; z_v = MLP([z_left; z_right]) bottom-up; logits = W z_root. Nodes of one height in a batch
    are computed together."""

    def __init__(self, p: int, dim: int, structure: str = "gold"):
        super().__init__()
        if structure not in STRUCTURES:
            raise ValueError(f"structure must be one of {sorted(STRUCTURES)}, got {structure!r}")
        self.structure, self.embed = structure, nn.Embedding(p, dim)
        self.span = nn.Sequential(nn.Linear(2 * dim, 2 * dim), nn.ReLU(), nn.Linear(2 * dim, dim), nn.LayerNorm(dim))
        self.out = nn.Linear(dim, p)

    def encode(self, trees: list) -> dict:
        """The batch as one forest: leaf values, children and heights of every node, and the root rows."""
        forests = [_postorder(STRUCTURES[self.structure](t)) for t in trees]
        sizes = np.array([len(f) for f in forests])
        offset = np.repeat(np.cumsum(sizes) - sizes, sizes)  # (nodes,)
        rows = np.concatenate(forests)
        kids = np.where(rows[:, 1:] >= 0, rows[:, 1:] + offset[:, None], -1)
        heights = np.concatenate([_heights(f) for f in forests])
        return {"leaf": rows[:, 0], "kids": kids, "height": heights, "roots": np.cumsum(sizes) - 1}

    def forward(self, trees: list) -> torch.Tensor:
        f = self.encode(trees)
        dtype, dev = self.out.weight.dtype, self.out.weight.device
        z = torch.zeros(len(f["leaf"]), self.embed.embedding_dim, dtype=dtype, device=dev)  # (nodes, D)
        is_leaf = np.flatnonzero(f["leaf"] >= 0)
        z = z.index_copy(0, torch.as_tensor(is_leaf, device=dev),
                         self.embed(torch.as_tensor(f["leaf"][is_leaf], device=dev)))
        for h in range(1, int(f["height"].max()) + 1):
            at = np.flatnonzero(f["height"] == h)
            kids = torch.as_tensor(f["kids"][at], device=dev)  # (n_h, 2)
            new = self.span(torch.cat([z[kids[:, 0]], z[kids[:, 1]]], 1))  # (n_h, D)
            z = z.index_copy(0, torch.as_tensor(at, device=dev), new)
        return self.out(z[torch.as_tensor(f["roots"], device=dev)])  # (B, p)


def _token_ids(trees: list, p: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, T) ids of the bracketed strings (digits 0..p-1, "(" p, ")" p + 1, padding p + 2) and (B,) lengths."""
    vocab = {**{str(i): i for i in range(p)}, OPEN: p, CLOSE: p + 1}
    seqs = [[vocab[tok] for tok in bracketed(t)] for t in trees]
    lengths = torch.tensor([len(s) for s in seqs])
    ids = torch.full((len(seqs), int(lengths.max())), p + 2, dtype=torch.long)
    for b, s in enumerate(seqs):
        ids[b, :len(s)] = torch.tensor(s)
    return ids, lengths


class GRUClassifier(nn.Module):
    """A GRU over the bracketed string; logits from the last hidden state."""

    def __init__(self, p: int, dim: int):
        super().__init__()
        self.p, self.embed = p, nn.Embedding(p + 3, dim)
        self.gru, self.out = nn.GRU(dim, dim, batch_first=True), nn.Linear(dim, p)

    def forward(self, trees: list) -> torch.Tensor:
        ids, lengths = _token_ids(trees, self.p)
        packed = nn.utils.rnn.pack_padded_sequence(self.embed(ids.to(self.out.weight.device)), lengths,
                                                   batch_first=True, enforce_sorted=False)
        _, last = self.gru(packed)  # (1, B, D)
        return self.out(last[0])


def sinusoidal(T: int, dim: int, dtype=torch.float64) -> torch.Tensor:
    """Vaswani et al.'s positions, (T, D): sin on even, cos on odd dimensions; defined for any length."""
    pos = torch.arange(T, dtype=dtype)[:, None]
    freq = torch.exp(-math.log(10000.0) * torch.arange(0, dim, 2, dtype=dtype) / dim)
    pe = torch.zeros(T, dim, dtype=dtype)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(pos * freq), torch.cos(pos * freq)
    return pe


class TfClassifier(nn.Module):
    """A pre-norm transformer encoder (2 blocks, 4 heads) with sinusoidal positions, mean-pooled over tokens."""

    def __init__(self, p: int, dim: int, blocks: int = 2, heads: int = 4):
        super().__init__()
        self.p, self.embed = p, nn.Embedding(p + 3, dim)
        layer = nn.TransformerEncoderLayer(dim, heads, 2 * dim, dropout=0.0, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, blocks, enable_nested_tensor=False)
        self.out = nn.Linear(dim, p)

    def forward(self, trees: list) -> torch.Tensor:
        ids, lengths = _token_ids(trees, self.p)
        dev, dtype = self.out.weight.device, self.out.weight.dtype
        ids = ids.to(dev)
        pad = ids == self.p + 2  # (B, T)
        x = self.embed(ids) + sinusoidal(ids.shape[1], self.embed.embedding_dim, dtype).to(dev)
        x = self.encoder(x, src_key_padding_mask=pad)  # (B, T, D)
        keep = (~pad).to(dtype)[..., None]
        return self.out((x * keep).sum(1) / keep.sum(1))


def make_model(name: str, p: int, dim: int) -> nn.Module:
    if name.startswith("treenet"):
        return TreeNet(p, dim, "gold" if name == "treenet" else name.removeprefix("treenet_"))
    if name == "gru":
        return GRUClassifier(p, dim)
    if name == "transformer":
        return TfClassifier(p, dim)
    raise ValueError(f"model must be one of {MODELS}, got {name!r}")


def train(model: nn.Module, data: TreeOpsData, *, steps: int, batch: int, lr: float, generator: torch.Generator,
          desc: str | None = None) -> list[float]:
    """Adam on the cross-entropy of random mini-batches (core.training); the losses per step."""
    labels, device = torch.as_tensor(data.labels), next(model.parameters()).device
    loss_of = lambda idx: nn.functional.cross_entropy(model([data.trees[i] for i in idx]), labels[idx].to(device))
    return adam_train(model, loss_of, len(data), steps=steps, batch=batch, lr=lr, generator=generator, desc=desc)


@torch.no_grad()
def accuracy(model: nn.Module, data: TreeOpsData, batch: int = 500) -> float:
    model.eval()
    right = 0
    for lo in range(0, len(data), batch):
        pred = model(data.trees[lo:lo + batch]).argmax(-1).cpu().numpy()
        right += int((pred == data.labels[lo:lo + batch]).sum())
    return right / len(data)
