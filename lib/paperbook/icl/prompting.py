"""Label-word probabilities of k-shot prompts: the demonstrations form a prefix that is run once (key/value cache),
and every query after it is read at its last token (eq-07-labelprob)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..lm.scoring import PromptScorer, label_probs
from ..lm.tokenize import encode_segments
from .tasks import Template, prompt_segments

CONTENT_FREE = ("N/A", "", "[MASK]")   # contextual calibration's content-free queries (Zhao et al. 2021)


def label_token_ids(tok, words: Sequence[str]) -> list[int]:
    """The token id of " " + word for each label word; a word that is not one token is an error."""
    ids = []
    for w in words:
        enc = tok.encode(" " + w, add_special_tokens=False)
        if len(enc) != 1:
            raise ValueError(f"label word {w!r} is {len(enc)} tokens after a space; label words must be one token")
        ids.append(enc[0])
    return ids


def prompt_ids(tok, demos: Sequence[tuple[str, int]], queries: Sequence[str], template: Template,
               words: Sequence[str]) -> tuple[list[int], list[list[int]]]:
    """(prefix ids, ids of each query segment): the prefix is the instruction and demonstrations; each prompt's
    ids are checked to equal the tokenisation of its whole string (the BPE boundary check)."""
    prefix_segments = prompt_segments(demos, "", template, words)[:-1]
    prefix_ids = encode_segments(tok, prefix_segments)
    query_ids = []
    for q in queries:
        last = prompt_segments(demos, q, template, words)[-1]
        query_ids.append(encode_segments(tok, prefix_segments + [last])[len(prefix_ids):])
    return prefix_ids, query_ids


def score_queries(scorer: PromptScorer, tok, demos: Sequence[tuple[str, int]], queries: Sequence[str],
                  template: Template, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(raw, renormalised) label probabilities, (n, C) each, of every query after the same demonstrations."""
    logits = scorer.next_token_logits(*prompt_ids(tok, demos, queries, template, words))   # (n, V)
    raw, norm = label_probs(logits, label_token_ids(tok, words))
    return raw.numpy(), norm.numpy()
