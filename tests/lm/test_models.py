"""Tiny Llama sizes and determinism, the training loop, and the word-level tokenizer."""

import torch

from paperbook.lm.models import TinyLlamaConfig, tiny_llama, train_lm
from paperbook.lm.tokenize import word_tokenizer


def _count(V, d=64, ff=128, L=2):
    return 2 * V * d + L * (4 * d * d + 3 * d * ff + 2 * d) + d


def test_parameter_counts_match_the_formula():
    for V, expected in ((48, 88_384), (199, 107_712)):
        model = tiny_llama(TinyLlamaConfig(), V, pad_id=0, bos_id=2, eos_id=3, seed=0)
        assert sum(p.numel() for p in model.parameters()) == expected == _count(V)


def test_same_seed_same_weights_and_the_global_stream_is_untouched():
    torch.manual_seed(5)
    before = torch.random.get_rng_state()
    a, b = (tiny_llama(TinyLlamaConfig(), 48, pad_id=0, bos_id=2, eos_id=3, seed=1) for _ in range(2))
    assert torch.equal(torch.random.get_rng_state(), before)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    c = tiny_llama(TinyLlamaConfig(), 48, pad_id=0, bos_id=2, eos_id=3, seed=2)
    assert not torch.equal(next(a.parameters()), next(c.parameters()))


def _losses():
    torch.set_num_threads(1)
    model = tiny_llama(TinyLlamaConfig(), 48, pad_id=0, bos_id=2, eos_id=3, seed=0)
    ids = torch.randint(4, 48, (8, 12), generator=torch.Generator().manual_seed(0))
    batches = iter(lambda: {"input_ids": ids, "labels": ids}, None)
    return train_lm(model, batches, 20, 3e-3)


def test_training_lowers_the_loss_and_repeats_exactly():
    first, second = _losses(), _losses()
    assert first == second and first[-1] < first[0] - 0.2


def test_word_tokenizer_ids_specials_round_trip_and_unknown():
    words = ["born", "in", "city3", ".", "Q:"]
    a, b = word_tokenizer(words), word_tokenizer(reversed(words))
    assert a.get_vocab() == b.get_vocab()
    assert [a.convert_tokens_to_ids(t) for t in ("<pad>", "<unk>", "<bos>", "<eos>")] == [0, 1, 2, 3]
    ids = a.encode("Q: born in city3 .", add_special_tokens=False)
    assert a.decode(ids) == "Q: born in city3 ." and 1 not in ids
    assert a.encode("born on mars", add_special_tokens=False)[1:] == [1, 1]
