"""The seq2seq baseline of SCAN (Lake and Baroni 2018): a GRU encoder-decoder without attention, trained with
teacher forcing and decoded greedily.

The decoder reads [embedding of y_{t-1}; the encoder's final state] at every step, starting from that state.
Commands and actions are word-level vocabularies; PAD is 0 in both, and the decoder has BOS and EOS.
"""

from __future__ import annotations

import torch
from torch import nn

from ..core.training import adam_train
from .scan import ACTION_OF, TURN_OF, VOCABULARY

PAD, BOS, EOS = "<pad>", "<bos>", "<eos>"
IN_VOCAB = (PAD, *sorted(VOCABULARY))
OUT_VOCAB = (PAD, BOS, EOS, *ACTION_OF.values(), *TURN_OF.values())
MAX_DECODE = 50  # SCAN's longest output is 48 actions, then EOS


def _pad(seqs: list[list[int]]) -> torch.Tensor:
    """(B, T) ids padded with 0."""
    out = torch.zeros(len(seqs), max(map(len, seqs)), dtype=torch.long)
    for b, s in enumerate(seqs):
        out[b, :len(s)] = torch.tensor(s)
    return out


def encode_commands(commands: list[str]) -> torch.Tensor:
    return _pad([[IN_VOCAB.index(w) for w in c.split()] for c in commands])


def encode_actions(actions: list[list[str]]) -> torch.Tensor:
    """(B, T + 1) target ids: the actions, then EOS, padded."""
    return _pad([[OUT_VOCAB.index(a) for a in acts] + [OUT_VOCAB.index(EOS)] for acts in actions])


class GRUSeq2Seq(nn.Module):
    def __init__(self, dim: int = 128, dropout: float = 0.1):
        super().__init__()
        self.src, self.tgt = nn.Embedding(len(IN_VOCAB), dim, padding_idx=0), nn.Embedding(len(OUT_VOCAB), dim)
        self.encoder, self.decoder = nn.GRU(dim, dim, batch_first=True), nn.GRU(2 * dim, dim, batch_first=True)
        self.drop, self.out = nn.Dropout(dropout), nn.Linear(dim, len(OUT_VOCAB))

    def encode(self, src: torch.Tensor) -> torch.Tensor:
        """(1, B, D) final encoder state of the unpadded commands."""
        lengths = (src != 0).sum(1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(self.drop(self.src(src)), lengths, batch_first=True,
                                                   enforce_sorted=False)
        return self.encoder(packed)[1]

    def _step_inputs(self, prev: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        """(B, T, 2D) decoder inputs: [embedding of the previous token; encoder state]."""
        context = state.transpose(0, 1).expand(-1, prev.shape[1], -1)
        return torch.cat([self.drop(self.tgt(prev)), context], -1)

    def forward(self, src: torch.Tensor, tgt: torch.Tensor) -> torch.Tensor:
        """Teacher-forced logits (B, T, V) for targets tgt (B, T): step t reads tgt[:, t - 1] (BOS at t = 0)."""
        state = self.encode(src)
        prev = torch.cat([torch.full_like(tgt[:, :1], OUT_VOCAB.index(BOS)), tgt[:, :-1]], 1)
        hidden, _ = self.decoder(self._step_inputs(prev, state), state)
        return self.out(hidden)

    @torch.no_grad()
    def greedy(self, src: torch.Tensor, max_len: int = MAX_DECODE) -> list[list[str]]:
        """Greedy decoding of each command up to EOS (or max_len tokens)."""
        state = self.encode(src)
        prev = torch.full((src.shape[0], 1), OUT_VOCAB.index(BOS), dtype=torch.long, device=src.device)
        hidden, steps = state, []
        for _ in range(max_len):
            out, hidden = self.decoder(self._step_inputs(prev, state), hidden)
            prev = self.out(out).argmax(-1)  # (B, 1)
            steps.append(prev)
        ids = torch.cat(steps, 1).cpu().tolist()
        eos = OUT_VOCAB.index(EOS)
        return [[OUT_VOCAB[i] for i in (row[:row.index(eos)] if eos in row else row)] for row in ids]


def train_seq2seq(model: GRUSeq2Seq, commands: list[str], actions: list[list[str]], *, steps: int, batch: int,
                  lr: float, generator: torch.Generator, desc: str | None = None) -> list[float]:
    """Teacher-forced cross-entropy (PAD ignored), Adam, gradient norm clipped at 1 (core.training)."""
    device = next(model.parameters()).device
    src, tgt = encode_commands(commands).to(device), encode_actions(actions).to(device)

    def loss_of(idx: torch.Tensor) -> torch.Tensor:
        s, t = src[idx], tgt[idx]
        keep = (s != 0).any(0), (t != 0).any(0)  # drop all-pad columns of the batch
        s, t = s[:, keep[0]], t[:, keep[1]]
        logits = model(s, t)  # (B, T, V)
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), t.reshape(-1), ignore_index=0)

    return adam_train(model, loss_of, len(commands), steps=steps, batch=batch, lr=lr, generator=generator, clip=1.0,
                      desc=desc)


def exact_match(model: GRUSeq2Seq, commands: list[str], actions: list[list[str]], batch: int = 500) -> float:
    """The fraction of commands decoded to exactly their actions (eval mode, greedy)."""
    model.eval()
    device, right = next(model.parameters()).device, 0
    for lo in range(0, len(commands), batch):
        pred = model.greedy(encode_commands(commands[lo:lo + batch]).to(device))
        right += sum(p == a for p, a in zip(pred, actions[lo:lo + batch]))
    return right / len(commands)
