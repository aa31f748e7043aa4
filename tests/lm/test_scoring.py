"""Token and sequence log-probs, label probabilities, and cached prompt scoring on a tiny random Llama."""

import torch
import torch.nn.functional as F

from paperbook.lm.models import TinyLlamaConfig, tiny_llama
from paperbook.lm.scoring import (
    PromptScorer,
    label_probs,
    min_k_logprob,
    sequence_logprobs,
    token_logprobs,
    token_nll,
)

V = 40


def _model():
    return tiny_llama(TinyLlamaConfig(max_pos=64), V, pad_id=0, bos_id=2, eos_id=3, seed=0).eval()


def _batch():
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(4, V, (3, 9), generator=g)
    labels = ids.clone()
    labels[0, :3] = -100   # a prompt without loss
    labels[2, 6:] = -100   # padding
    return ids, labels


def test_token_nll_is_the_batch_token_mean_and_transformers_loss():
    model, (ids, labels) = _model(), _batch()
    out = model(input_ids=ids, labels=labels)
    ours = token_nll(out.logits, labels)
    ref = F.cross_entropy(out.logits[:, :-1].reshape(-1, V), labels[:, 1:].reshape(-1), ignore_index=-100)
    assert torch.allclose(ours, ref, atol=1e-6) and torch.allclose(ours, out.loss, atol=1e-6)


def test_sequence_logprobs_sum_and_mean_over_valid_tokens():
    logits, (_, labels) = torch.randn(3, 9, V, generator=torch.Generator().manual_seed(1)), _batch()
    lp, mask = token_logprobs(logits, labels)
    assert lp.shape == mask.shape == (3, 8) and not mask[0, :2].any() and not mask[2, 5:].any()
    assert torch.allclose(sequence_logprobs(logits, labels), lp.sum(-1), atol=1e-6)
    assert torch.allclose(sequence_logprobs(logits, labels, average=True), lp.sum(-1) / mask.sum(-1), atol=1e-6)
    full = torch.log_softmax(logits[:, :-1], -1)
    assert torch.allclose(lp[1], full[1].gather(-1, labels[1, 1:, None]).squeeze(-1), atol=1e-6)


def test_min_k_logprob_of_a_hand_vector():
    lp = torch.tensor([[-1.0, -2.0, -3.0, -4.0]])
    assert min_k_logprob(lp, torch.ones_like(lp, dtype=torch.bool), k=0.5).item() == -3.5


def test_label_probs_are_the_restricted_softmax():
    logits = torch.randn(5, V, generator=torch.Generator().manual_seed(2))
    raw, norm = label_probs(logits, [7, 3, 11])
    assert torch.allclose(norm.sum(-1), torch.ones(5, dtype=torch.float64), atol=1e-12)
    assert torch.allclose(norm, torch.softmax(logits[:, [7, 3, 11]].double(), -1), atol=1e-7)
    assert torch.allclose(raw, torch.softmax(logits.double(), -1)[:, [7, 3, 11]])


def test_cached_batched_scoring_equals_each_prompt_alone():
    model = _model()
    scorer = PromptScorer(model, "cpu", batch_size=2)   # 3 queries: two batches, right-padded
    prefix, queries = [5, 6, 7, 8, 9], [[10, 11], [12], [13, 14, 15, 16]]
    cached = scorer.next_token_logits(prefix, queries)
    alone = scorer.reference_logits([prefix + q for q in queries])
    assert cached.shape == (3, V) and (cached - alone).abs().max() < 1e-5
    assert (scorer.next_token_logits([], queries) - scorer.reference_logits(queries)).abs().max() < 1e-5
    assert scorer.queries == 6
