"""Tiny causal LMs built from transformers' LlamaConfig (untied embeddings, no biases, no dropout) and a plain
AdamW training loop with per-step control, for the chapters that train a model from scratch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import torch
from transformers import LlamaConfig, LlamaForCausalLM

from .scoring import token_nll


@dataclass(frozen=True)
class TinyLlamaConfig:
    hidden: int = 64          # d_model
    intermediate: int = 128   # SwiGLU width
    layers: int = 2
    heads: int = 4
    kv_heads: int = 4
    max_pos: int = 32


def tiny_llama(cfg: TinyLlamaConfig, vocab_size: int, *, pad_id: int, bos_id: int, eos_id: int, seed: int,
               device="cpu") -> LlamaForCausalLM:
    """A float32 Llama with 2*V*d + L*(4d^2 + 3*d*ff + 2d) + d parameters (at heads = kv_heads), initialised from
    `seed` alone (bit-identical for the same seed)."""
    config = LlamaConfig(vocab_size=vocab_size, hidden_size=cfg.hidden, intermediate_size=cfg.intermediate,
                         num_hidden_layers=cfg.layers, num_attention_heads=cfg.heads, num_key_value_heads=cfg.kv_heads,
                         max_position_embeddings=cfg.max_pos, pad_token_id=pad_id, bos_token_id=bos_id,
                         eos_token_id=eos_id, tie_word_embeddings=False, attention_dropout=0.0, dtype="float32")
    state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        model = LlamaForCausalLM(config)
    finally:
        torch.random.set_rng_state(state)   # the caller's global stream is left as it was
    return model.to(device)


def train_lm(model, batches: Iterator[dict[str, torch.Tensor]], steps: int, lr: float, *, weight_decay: float = 0.0,
             betas=(0.9, 0.95), clip: float = 1.0, device="cpu",
             callback: Callable[[int, float], None] | None = None) -> list[float]:
    """`steps` AdamW steps on batches {"input_ids", "labels"[, "attention_mask"]} (labels -100 where no loss);
    the token-mean NLL of each step, in order. `callback(step, loss)` runs after each step."""
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=betas, weight_decay=weight_decay)
    model.train()
    losses = []
    for step in range(steps):
        batch = {k: v.to(device) for k, v in next(batches).items()}
        logits = model(input_ids=batch["input_ids"], attention_mask=batch.get("attention_mask")).logits
        loss = token_nll(logits, batch["labels"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        losses.append(float(loss.detach()))
        if callback is not None:
            callback(step, losses[-1])
    model.eval()
    return losses
