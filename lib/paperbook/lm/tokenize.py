"""Tokenizers built in memory: a word-level one for the tiny models, and SmolLM2's BPE from its GGUF metadata.

SmolLM2's tokenizer is rebuilt with `tokenizers` rather than taken from transformers' GGUF converter, whose
pre-tokenizer (5.24) lacks the `smollm` digit split: it differs on a whitespace run before a digit ("a\\n\\n7").
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from tokenizers import Tokenizer, decoders, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

from .smollm import gguf_metadata, locate_smollm2_gguf

SPECIALS = ("<pad>", "<unk>", "<bos>", "<eos>")  # ids 0-3 of every word-level vocabulary


def word_tokenizer(words: Iterable[str], extra_specials: Sequence[str] = ()) -> PreTrainedTokenizerFast:
    """A whitespace word-level tokenizer: specials 0-3, then `extra_specials`, then the sorted words (so the same
    generator always yields the same ids, whatever a sample happens to contain)."""
    fixed = list(SPECIALS) + list(extra_specials)
    vocab = {w: i for i, w in enumerate(fixed + sorted(set(words) - set(fixed)))}
    core = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    core.decoder = decoders.WordPiece(prefix="##", cleanup=False)  # joins words with single spaces
    return PreTrainedTokenizerFast(tokenizer_object=core, pad_token="<pad>", unk_token="<unk>", bos_token="<bos>",
                                   eos_token="<eos>", padding_side="right")


def smollm2_tokenizer(gguf_path: Path | None = None) -> PreTrainedTokenizerFast:
    """SmolLM2's byte-level BPE from the GGUF metadata: every digit isolated, then the GPT-2 byte-level split
    (llama.cpp's `smollm` pre-tokenizer); no BOS is added (add_bos_token is false in the file)."""
    meta = gguf_metadata(gguf_path or locate_smollm2_gguf(), ("tokenizer.ggml.tokens", "tokenizer.ggml.merges"))
    vocab = {tok: i for i, tok in enumerate(meta["tokenizer.ggml.tokens"])}
    merges = [tuple(m.split(" ", 1)) for m in meta["tokenizer.ggml.merges"]]
    core = Tokenizer(models.BPE(vocab, merges, fuse_unk=False))
    core.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                  pre_tokenizers.ByteLevel(add_prefix_space=False)])
    core.decoder = decoders.ByteLevel()
    return PreTrainedTokenizerFast(tokenizer_object=core, eos_token="<|im_end|>", pad_token="<|im_end|>",
                                   bos_token="<|im_start|>", unk_token="<|endoftext|>", padding_side="right")


def encode_segments(tok, segments: Sequence[str], check: bool = True) -> list[int]:
    """The ids of "".join(segments), encoded segment by segment so that a cached prefix ends on a token boundary.

    BPE is not additive (a trailing "\\n\\n" is one token, "\\n\\n" before a letter two), so each separator leads
    the next segment; `check` asserts that the pieces give the ids of the whole string."""
    ids = [i for seg in segments for i in tok.encode(seg, add_special_tokens=False)]
    if check:
        whole = tok.encode("".join(segments), add_special_tokens=False)
        if ids != whole:
            raise ValueError(f"segments {list(segments)!r} do not tokenise like their concatenation: a segment "
                             "boundary splits a token (lead each segment with its separator)")
    return ids
