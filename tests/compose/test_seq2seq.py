"""The GRU seq2seq baseline: shapes, padding independence, and fitting a handful of commands."""

import torch

from paperbook.compose import scan
from paperbook.compose import seq2seq as S
from paperbook.core.rng import rng


def _model(dim=16):
    torch.manual_seed(0)
    return S.GRUSeq2Seq(dim, dropout=0.0).double()


def test_teacher_forced_logits_have_one_row_per_target_token():
    model = _model()
    src, tgt = S.encode_commands(["walk", "jump twice"]), S.encode_actions([["I_WALK"], ["I_JUMP", "I_JUMP"]])
    assert tgt.tolist()[0] == [S.OUT_VOCAB.index("I_WALK"), S.OUT_VOCAB.index(S.EOS), 0]
    assert model(src, tgt).shape == (2, 3, len(S.OUT_VOCAB))


def test_outputs_do_not_depend_on_padding():
    model = _model().eval()
    alone = model(S.encode_commands(["walk left"]), S.encode_actions([["I_TURN_LEFT", "I_WALK"]]))
    batch = model(S.encode_commands(["walk left", "jump around right twice"]),
                  S.encode_actions([["I_TURN_LEFT", "I_WALK"], scan.interpret("jump around right twice")]))
    torch.testing.assert_close(batch[0, :3], alone[0], atol=1e-12, rtol=0)


def test_overfits_eight_commands():
    commands = ["walk", "jump twice", "look left", "run and walk", "turn right", "walk after look",
                "jump opposite left", "run thrice"]
    actions = [scan.interpret(c) for c in commands]
    model = _model(32)
    train = S.train_seq2seq(model, commands, actions, steps=300, batch=8, lr=1e-2, generator=rng(0, "s2s"))
    assert train[-1] < train[0] and S.exact_match(model, commands, actions) == 1.0
