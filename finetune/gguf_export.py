"""Write a Hugging Face causal LM — a merged fine-tune, or a base model with a LoRA adapter merged on the
way — as one GGUF file that llama.cpp, the ``llama_cpp`` backend (``WENZHEN_GGUF``) and Ollama load.

>>> export_gguf(GeneratorSettings(model="out/merged"), Path("out/model.gguf"))    # doctest: +SKIP
>>> export_gguf(GeneratorSettings(adapter="out/lora"), Path("demo-tuned.gguf"), "q8_0")  # doctest: +SKIP

Supported: the Qwen2, LLaMA/Mistral and Bloom architectures with a byte-level BPE tokenizer
(``tokenizer.json``; Qwen2's, LLaMA-3's or Bloom's pre-tokenizer) or a SentencePiece one (LLaMA-1/2 as
Bentsao uses, Mistral: BPE with byte fallback in ``tokenizer.json``). Other models (Baichuan, DISC-MedLLM's)
are refused with a message naming what is missing; their merged folder (``wenzhen finetune merge``) goes
through llama.cpp's own ``convert_hf_to_gguf.py``.
Tensors are converted and written one at a time (the file header first), so memory holds the model and one
tensor; the file appears under its name only when it is complete.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from wenzhen.core.errors import ConfigError
from wenzhen.finetune.config import GeneratorSettings

OutType = Literal["f16", "q8_0", "f32"]
OUTTYPES: tuple[OutType, ...] = ("f16", "q8_0", "f32")
ProgressCallback = Callable[[int, int], None]
"""Called with (tensors written, tensors in all) after each tensor."""

# Hugging Face ``model_type`` -> gguf architecture name.
ARCHITECTURES: dict[str, str] = {"qwen2": "QWEN2", "llama": "LLAMA", "mistral": "LLAMA", "bloom": "BLOOM"}
ROPE_PERMUTED = ("LLAMA",)
"""Architectures whose q/k rows llama.cpp expects in GGML's rotary layout."""
# The Split regex of a byte-level BPE tokenizer's pre-tokenizer -> llama.cpp's name for it.
PRE_TOKENIZERS = {
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"
    r"|\s+(?!\S)|\s+": "qwen2",
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"
    r"|\s+(?!\S)|\s+": "llama-bpe",
    r" ?[^(\s|[.,!?…。，、।۔،])]+": "bloom",
}
CONVERTER = "llama.cpp's convert_hf_to_gguf.py on the merged folder (wenzhen finetune merge)"


@dataclass(frozen=True)
class GgufExport:
    """What was written."""

    path: Path
    architecture: str
    outtype: OutType
    tensors: int
    size_bytes: int


@dataclass(frozen=True)
class _Tensor:
    name: str
    hf_name: str
    qtype: Any  # gguf.GGMLQuantizationType


def export_gguf(
    settings: GeneratorSettings,
    out: Path,
    outtype: OutType = "f16",
    on_progress: ProgressCallback | None = None,
) -> GgufExport:
    """The configured model (with its adapter merged, if one is set) written to ``out``."""
    from wenzhen.finetune.demo_model import quiet_transformers
    from wenzhen.finetune.models import load_model, model_path

    with quiet_transformers():
        model, tokenizer = load_model(settings, dtype="fp32")
    if settings.adapter not in (None, "none"):
        model = model.merge_and_unload()
    config = model.config
    arch_name = _architecture(config.model_type)
    with tempfile.TemporaryDirectory() as folder:
        tokenizer.save_pretrained(folder)  # a tokenizer.json and its config, whatever form the source had
        writer = _writer(out, arch_name, config, Path(folder), Path(model_path(settings)).name, outtype)
    state = model.state_dict()
    tensors = list(_tensors(state, config, arch_name, outtype))
    _write(writer, out, tensors, state, config, arch_name, on_progress)
    return GgufExport(out, arch_name.lower(), outtype, len(tensors), out.stat().st_size)


def _architecture(model_type: str) -> str:
    if model_type not in ARCHITECTURES:
        raise ConfigError(
            f"export --gguf supports the {', '.join(sorted(ARCHITECTURES))} architectures, "
            f"not {model_type!r}; use {CONVERTER}"
        )
    return ARCHITECTURES[model_type]


def _rope_theta(config: Any) -> float:
    parameters = getattr(config, "rope_parameters", None) or {}
    kind = parameters.get("rope_type", "default")
    if kind not in ("default", "linear"):
        raise ConfigError(f"export --gguf does not write {kind!r} rope scaling; use {CONVERTER}")
    theta = parameters.get("rope_theta", getattr(config, "rope_theta", None))
    return float(theta if theta is not None else 10000.0)


def _writer(out: Path, arch_name: str, config: Any, tokenizer_dir: Path, name: str, outtype: OutType) -> Any:
    import gguf

    arch = gguf.MODEL_ARCH[arch_name]
    writer = gguf.GGUFWriter(None, gguf.MODEL_ARCH_NAMES[arch])
    writer.add_name(name)
    if arch_name == "BLOOM":
        _add_bloom_parameters(writer, config)
    else:
        _add_rotary_parameters(writer, config)
    writer.add_vocab_size(config.vocab_size)
    writer.add_file_type(
        {
            "f32": gguf.LlamaFileType.ALL_F32,
            "f16": gguf.LlamaFileType.MOSTLY_F16,
            "q8_0": gguf.LlamaFileType.MOSTLY_Q8_0,
        }[outtype]
    )
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
    _add_vocab(writer, tokenizer_dir, config.vocab_size)
    return writer


def _add_sizes(writer: Any, config: Any, context: int, feed_forward: int, kv_heads: int) -> None:
    """The sizes every architecture states: context, width, depth, feed-forward and heads."""
    writer.add_context_length(context)
    writer.add_embedding_length(config.hidden_size)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_feed_forward_length(feed_forward)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(kv_heads)


def _add_bloom_parameters(writer: Any, config: Any) -> None:
    """Bloom: ALiBi positions (no rotary), a 4x feed-forward, layer norms with biases."""
    context = getattr(config, "seq_length", None) or 2048
    _add_sizes(writer, config, context, 4 * config.hidden_size, config.num_attention_heads)
    writer.add_layer_norm_eps(config.layer_norm_epsilon)


def _add_rotary_parameters(writer: Any, config: Any) -> None:
    """Qwen2, LLaMA, Mistral: rotary positions, RMS norms, grouped key/value heads."""
    import gguf

    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    kv_heads = getattr(config, "num_key_value_heads", None) or config.num_attention_heads
    _add_sizes(writer, config, config.max_position_embeddings, config.intermediate_size, kv_heads)
    writer.add_key_length(head_dim)
    writer.add_value_length(head_dim)
    writer.add_rope_dimension_count(head_dim)
    writer.add_rope_freq_base(_rope_theta(config))
    parameters = getattr(config, "rope_parameters", None) or {}
    if parameters.get("rope_type") == "linear":
        writer.add_rope_scaling_type(gguf.RopeScalingType.LINEAR)
        writer.add_rope_scaling_factor(float(parameters["factor"]))
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)


def _add_vocab(writer: Any, tokenizer_dir: Path, vocab_size: int) -> None:
    """The tokenizer in llama.cpp's layout: tokens, their types, special ids and the chat template; merges
    for a byte-level BPE (Qwen2, LLaMA-3), scores for a SentencePiece one (LLaMA-1/2, Mistral: BPE with
    byte fallback in ``tokenizer.json``)."""
    import gguf

    spec = json.loads((tokenizer_dir / "tokenizer.json").read_text(encoding="utf-8"))
    if spec["model"]["type"] != "BPE":
        raise ConfigError(
            f"export --gguf writes BPE tokenizers, not {spec['model']['type']!r} ones; use {CONVERTER}"
        )
    sentencepiece = bool(spec["model"].get("byte_fallback"))
    vocab: dict[str, int] = spec["model"]["vocab"]
    added = {token["id"]: token for token in spec.get("added_tokens", [])}
    by_id = {index: token for token, index in vocab.items()} | {i: t["content"] for i, t in added.items()}
    tokens = [by_id.get(index, f"[PAD{index}]") for index in range(vocab_size)]
    types = [_token_type(index, by_id, added, sentencepiece) for index in range(vocab_size)]
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    if sentencepiece:
        writer.add_tokenizer_model("llama")
        writer.add_tokenizer_pre("default")
        writer.add_token_scores(_merge_scores(spec, tokens))
        writer.add_add_space_prefix(_adds_space_prefix(spec))
    else:
        writer.add_tokenizer_model("gpt2")
        writer.add_tokenizer_pre(pre_tokenizer_name(spec))
    special = gguf.SpecialVocab(tokenizer_dir, load_merges=not sentencepiece, n_vocab=vocab_size)
    special.add_to_gguf(writer, quiet=True)


def _token_type(index: int, by_id: dict[int, str], added: dict[int, Any], sentencepiece: bool) -> Any:
    import gguf

    if index not in by_id:
        return gguf.TokenType.UNUSED
    if index in added:
        return gguf.TokenType.CONTROL if added[index]["special"] else gguf.TokenType.USER_DEFINED
    if sentencepiece and _BYTE_TOKEN.fullmatch(by_id[index]):
        return gguf.TokenType.BYTE
    return gguf.TokenType.NORMAL


_BYTE_TOKEN = re.compile(r"<0x[0-9A-Fa-f]{2}>")


def _merge_scores(spec: dict[str, Any], tokens: list[str]) -> list[float]:
    """SentencePiece scores from BPE merges: llama.cpp merges the adjacent pair whose token scores highest,
    so the token made by the n-th merge scores -n, and a token no merge makes (a character, a byte, a
    special) 0."""
    rank: dict[str, int] = {}
    for number, merge in enumerate(spec["model"].get("merges", []), start=1):
        left, right = merge if isinstance(merge, list) else merge.split(" ", 1)
        rank.setdefault(left + right, number)
    return [-float(rank.get(token, 0)) for token in tokens]


def _adds_space_prefix(spec: dict[str, Any]) -> bool:
    """Whether the tokenizer puts "▁" before the text (LLaMA-2's Prepend normaliser, or a Metaspace
    pre-tokenizer that prepends)."""
    steps = [spec.get("normalizer") or {}, spec.get("pre_tokenizer") or {}]
    flat = [s for step in steps for s in step.get("normalizers", step.get("pretokenizers", [step]))]
    return any(
        (s.get("type") == "Prepend" and s.get("prepend") == "\u2581")
        or (s.get("type") == "Metaspace" and s.get("prepend_scheme", "always") != "never")
        for s in flat
    )


def pre_tokenizer_name(spec: dict[str, Any]) -> str:
    """llama.cpp's name for a ``tokenizer.json``'s pre-tokenizer (its Split regex), or a ConfigError."""
    pre = spec.get("pre_tokenizer") or {}
    steps = pre.get("pretokenizers", [pre])
    patterns = [s["pattern"].get("Regex") for s in steps if s.get("type") == "Split"]
    for pattern in patterns:
        if pattern in PRE_TOKENIZERS:
            return PRE_TOKENIZERS[pattern]
    raise ConfigError(
        f"export --gguf knows the pre-tokenizers of {', '.join(sorted(set(PRE_TOKENIZERS.values())))}, not "
        f"this tokenizer's ({json.dumps(patterns, ensure_ascii=False)[:120]}); use {CONVERTER}"
    )


def _tensors(state: dict[str, Any], config: Any, arch_name: str, outtype: OutType) -> Iterator[_Tensor]:
    """Each weight's GGUF name and type: norms and biases in f32, matrices in ``outtype`` (Q8_0 needs rows
    of whole 32-value blocks, else f16); a tied output matrix is left to the embedding."""
    import gguf

    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH[arch_name], config.num_hidden_layers)
    for hf_name, tensor in state.items():
        if hf_name == "lm_head.weight" and getattr(config, "tie_word_embeddings", False):
            continue
        known = hf_name.removeprefix("transformer.") if arch_name == "BLOOM" else hf_name  # as llama.cpp maps
        name = names.get_name(known, try_suffixes=(".weight", ".bias"))
        if name is None:
            raise ConfigError(f"export --gguf cannot place tensor {hf_name!r}; use {CONVERTER}")
        if tensor.ndim == 1 or outtype == "f32":
            qtype = gguf.GGMLQuantizationType.F32
        elif outtype == "q8_0" and tensor.shape[-1] % 32 == 0:
            qtype = gguf.GGMLQuantizationType.Q8_0
        else:
            qtype = gguf.GGMLQuantizationType.F16
        yield _Tensor(name, hf_name, qtype)


def _permuted(weights: np.ndarray, heads: int) -> np.ndarray:
    """HF's rotary layout (halves) to GGML's (interleaved pairs), per head — llama.cpp's LLaMA converter."""
    shape = weights.shape
    return weights.reshape(heads, 2, shape[0] // heads // 2, *shape[1:]).swapaxes(1, 2).reshape(shape)


def _grouped_qkv(weights: np.ndarray, heads: int) -> np.ndarray:
    """Bloom's fused query/key/value rows, interleaved per head (q, k, v of head 0, then head 1 …), as
    llama.cpp reads them: every head's queries, then keys, then values — llama.cpp's Bloom converter."""
    per_head = weights.reshape(heads, 3, weights.shape[0] // heads // 3, *weights.shape[1:])
    return np.concatenate([per_head[:, part].reshape(-1, *weights.shape[1:]) for part in range(3)])


def _data(tensor: _Tensor, state: dict[str, Any], config: Any, arch_name: str) -> np.ndarray:
    import gguf

    data: np.ndarray = state[tensor.hf_name].detach().float().numpy()
    permute_qk = arch_name in ROPE_PERMUTED
    if permute_qk and tensor.name.endswith(("attn_q.weight", "attn_q.bias")):
        data = _permuted(data, config.num_attention_heads)
    elif permute_qk and tensor.name.endswith(("attn_k.weight", "attn_k.bias")):
        data = _permuted(data, getattr(config, "num_key_value_heads", None) or config.num_attention_heads)
    elif arch_name == "BLOOM" and tensor.name.endswith(("attn_qkv.weight", "attn_qkv.bias")):
        data = _grouped_qkv(data, config.num_attention_heads)
    if tensor.qtype == gguf.GGMLQuantizationType.F16:
        return data.astype(np.float16)
    if tensor.qtype == gguf.GGMLQuantizationType.Q8_0:
        return gguf.quants.quantize(data, tensor.qtype)
    return data.astype(np.float32)


def _write(
    writer: Any,
    out: Path,
    tensors: list[_Tensor],
    state: dict[str, Any],
    config: Any,
    arch_name: str,
    on_progress: ProgressCallback | None,
) -> None:
    """Header and tensor table first, then each tensor's data as it is converted; renamed into place."""
    import gguf

    for tensor in tensors:
        shape = tuple(state[tensor.hf_name].shape)
        block, block_bytes = gguf.GGML_QUANT_SIZES[tensor.qtype]
        nbytes = int(np.prod(shape)) // block * block_bytes
        writer.add_tensor_info(tensor.name, shape, np.dtype(np.float32), nbytes, tensor.qtype)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    writer.write_header_to_file(part)
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    for done, tensor in enumerate(tensors, start=1):
        writer.write_tensor_data(_data(tensor, state, config, arch_name))
        if on_progress is not None:
            on_progress(done, len(tensors))
    writer.close()
    os.replace(part, out)
