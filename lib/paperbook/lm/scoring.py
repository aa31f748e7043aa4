"""Log-probabilities of tokens and sequences, label-word probabilities, and next-token logits of many queries
after one shared prompt prefix (its key/value cache computed once, then repeated over each batch).

Every shift is inside: logits[:, t] scores labels[:, t + 1]. Shapes: B batch, T positions, V vocabulary.
"""

from __future__ import annotations

import copy
import math
from typing import Sequence

import torch
import torch.nn.functional as F

IGNORE = -100


def token_logprobs(logits: torch.Tensor, labels: torch.Tensor, ignore_index: int = IGNORE):
    """log p(y_t | y_<t) and its validity mask. (B, T, V), (B, T) -> (B, T-1), (B, T-1)."""
    target = labels[:, 1:]                                   # (B, T-1)
    mask = target != ignore_index
    logp = torch.log_softmax(logits[:, :-1].float(), -1)     # (B, T-1, V)
    lp = logp.gather(-1, target.clamp_min(0).unsqueeze(-1)).squeeze(-1)
    return lp.masked_fill(~mask, 0.0), mask


def token_nll(logits: torch.Tensor, labels: torch.Tensor, ignore_index: int = IGNORE) -> torch.Tensor:
    """Mean NLL over every valid next token of the batch (transformers' `loss`), not a mean of per-row means."""
    return F.cross_entropy(logits[:, :-1].flatten(0, 1).float(), labels[:, 1:].flatten(), ignore_index=ignore_index)


def sequence_logprobs(logits: torch.Tensor, labels: torch.Tensor, ignore_index: int = IGNORE,
                      average: bool = False) -> torch.Tensor:
    """(B,): the sum (DPO, NPO) or, with `average`, the mean (TOFU's P(a|q)) of each row's valid log-probs."""
    lp, mask = token_logprobs(logits, labels, ignore_index)
    total = lp.sum(-1)
    return total / mask.sum(-1).clamp_min(1) if average else total


def min_k_logprob(token_lp: torch.Tensor, mask: torch.Tensor, k: float = 0.5) -> torch.Tensor:
    """(B,): the mean of the lowest ceil(k * n) valid log-probs of each row (Min-K% Prob)."""
    rows = []
    for lp, m in zip(token_lp, mask):
        valid = lp[m].sort().values
        rows.append(valid[: max(1, math.ceil(k * len(valid)))].mean())
    return torch.stack(rows)


def label_probs(logits: torch.Tensor, label_ids: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """(raw, renormalised) label probabilities (eq-07-labelprob): the full-vocabulary softmax read at the label
    tokens, and the same renormalised over them. (B, V) -> (B, C), (B, C)."""
    raw = torch.softmax(logits.double(), -1)[:, list(label_ids)]   # (B, C)
    return raw, raw / raw.sum(-1, keepdim=True)


class PromptScorer:
    """Next-token logits of queries that share a prefix: the prefix runs once with a key/value cache; queries are
    right-padded in batches, positions continue after the prefix, and each row is read at its last real token."""

    def __init__(self, model, device, batch_size: int = 32):
        self.model, self.device, self.batch_size = model, torch.device(device), batch_size
        self.decoder, self.head = model.get_decoder(), model.get_output_embeddings()
        self.queries = 0   # queries scored so far (cached path)

    @torch.inference_mode()
    def prefix_cache(self, prefix_ids: list[int]):
        """The key/value cache of the prefix (batch 1)."""
        ids = torch.tensor([prefix_ids], device=self.device)
        return self.decoder(input_ids=ids, use_cache=True).cache

    @torch.inference_mode()
    def next_token_logits(self, prefix_ids: list[int], query_ids: list[list[int]], cache=None) -> torch.Tensor:
        """(n, V) float32 on the CPU: the logits after prefix + query_i, for every query."""
        n_prefix = len(prefix_ids)
        self.queries += len(query_ids)
        if n_prefix and cache is None:
            cache = self.prefix_cache(prefix_ids)
        out = []
        for start in range(0, len(query_ids), self.batch_size):
            batch = query_ids[start:start + self.batch_size]
            lengths = torch.tensor([len(q) for q in batch], device=self.device)
            if int(lengths.min()) < 1:
                raise ValueError("every query needs at least one token")
            width = int(lengths.max())
            ids = torch.tensor([q + [0] * (width - len(q)) for q in batch], device=self.device)  # (B, L)
            real = torch.arange(width, device=self.device) < lengths[:, None]                    # (B, L)
            mask = torch.cat([real.new_ones(len(batch), n_prefix), real], 1).long()              # (B, P + L)
            positions = (n_prefix + torch.arange(width, device=self.device)).expand(len(batch), -1)
            kwargs = {}
            if n_prefix:
                batch_cache = copy.deepcopy(cache)   # batch_repeat_interleave expands in place
                batch_cache.batch_repeat_interleave(len(batch))
                kwargs = {"cache": batch_cache, "use_cache": True}  # transformers 5: `cache`
            hidden = self.decoder(input_ids=ids, attention_mask=mask, position_ids=positions, **kwargs)
            last = hidden.last_hidden_state[torch.arange(len(batch)), lengths - 1]              # (B, d)
            out.append(self.head(last).float().cpu())                                          # (B, V)
        return torch.cat(out)

    @torch.inference_mode()
    def reference_logits(self, ids: list[list[int]]) -> torch.Tensor:
        """(n, V): each full prompt run alone, uncached and unpadded (the tests' reference; slow)."""
        return torch.cat([self.model(torch.tensor([row], device=self.device)).logits[:, -1].float().cpu()
                          for row in ids])
