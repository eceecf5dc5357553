"""``wenzhen finetune export --gguf``: the written file, loaded by llama.cpp (llama-cpp-python), gives the
logits transformers gives for the same model — Qwen2 (tied embeddings), LLaMA (rotary rows permuted) and a
base model with a LoRA adapter merged on the way — and tokenizes as the Hugging Face tokenizer does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from gguf import GGMLQuantizationType, GGUFReader
from typer.testing import CliRunner

from wenzhen.api.cli import app
from wenzhen.core.errors import ConfigError
from wenzhen.finetune.config import GeneratorSettings
from wenzhen.finetune.gguf_export import export_gguf, pre_tokenizer_name
from wenzhen.finetune.models import load_model, peft_wrapping

PROMPT = "<|im_start|>user\n我最近右上腹隐痛，还乏力。体温 38.5 度<|im_end|>\n<|im_start|>assistant\n"


def llama_cpp_logits(gguf: Path, ids: list[int]) -> np.ndarray:
    from llama_cpp import Llama

    llama = Llama(model_path=str(gguf), n_ctx=128, logits_all=True, verbose=False)
    try:
        llama.eval(ids)
        return np.array(llama.scores[: len(ids)])
    finally:
        llama.close()


def llama_cpp_ids(gguf: Path, text: str) -> list[int]:
    from llama_cpp import Llama

    llama = Llama(model_path=str(gguf), n_ctx=128, vocab_only=True, verbose=False)
    try:
        return list(llama.tokenize(text.encode(), add_bos=False, special=True))
    finally:
        llama.close()


def transformers_logits(settings: GeneratorSettings) -> tuple[list[int], np.ndarray]:
    model, tokenizer = load_model(settings, dtype="fp32")
    ids = tokenizer(PROMPT)["input_ids"]
    with torch.no_grad():
        return ids, model(torch.tensor([ids])).logits[0].numpy()


def assert_same_model(gguf: Path, settings: GeneratorSettings) -> np.ndarray:
    ids, expected = transformers_logits(settings)
    assert llama_cpp_ids(gguf, PROMPT) == ids
    got = llama_cpp_logits(gguf, ids)
    assert (got.argmax(-1) == expected.argmax(-1)).all()
    assert np.abs(got - expected).max() < 0.02 * np.abs(expected).max()
    return expected


@pytest.fixture(scope="module")
def tiny_llama_dir(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer random LLaMA (untied output, grouped heads) with the Qwen tokenizer."""
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    folder = tmp_path_factory.mktemp("tiny-llama")
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        tie_word_embeddings=False,
        initializer_range=0.5,
    )
    torch.manual_seed(1)
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_a_qwen2_model_with_tied_embeddings_runs_in_llama_cpp_as_in_transformers(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    settings = GeneratorSettings(model=str(tiny_model_dir))
    result = export_gguf(settings, tmp_path / "tiny.gguf", "f32")
    assert_same_model(result.path, settings)
    names = {tensor.name for tensor in GGUFReader(result.path).tensors}
    assert "token_embd.weight" in names and "output.weight" not in names  # the tied matrix written once
    assert result.tensors == len(names) and not list(tmp_path.glob("*.part"))


def test_a_llama_model_has_its_rotary_rows_permuted(tiny_llama_dir: Path, tmp_path: Path) -> None:
    settings = GeneratorSettings(model=str(tiny_llama_dir))
    result = export_gguf(settings, tmp_path / "llama.gguf", "f32")
    assert result.architecture == "llama"
    assert_same_model(result.path, settings)


def test_a_lora_adapter_is_merged_into_the_written_model(tiny_model_dir: Path, tmp_path: Path) -> None:
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    torch.manual_seed(2)
    lora = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", init_lora_weights=False)
    with peft_wrapping():
        get_peft_model(base, lora).save_pretrained(str(tmp_path / "adapter"))
    settings = GeneratorSettings(model=str(tiny_model_dir), adapter=str(tmp_path / "adapter"))
    result = export_gguf(settings, tmp_path / "tuned.gguf", "f32")
    tuned = assert_same_model(result.path, settings)
    _, untuned = transformers_logits(GeneratorSettings(model=str(tiny_model_dir)))
    assert np.abs(tuned - untuned).max() > 1.0  # the adapter changed the model that was written


def test_the_pre_tokenizer_is_named_from_its_split_pattern_or_refused(tiny_model_dir: Path) -> None:
    spec = json.loads((tiny_model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    assert pre_tokenizer_name(spec) == "qwen2"
    split = spec["pre_tokenizer"]["pretokenizers"][0]["pattern"]
    split["Regex"] = split["Regex"].replace(r"\p{N}|", r"\p{N}{1,3}|")  # LLaMA-3: digits in threes
    assert pre_tokenizer_name(spec) == "llama-bpe"
    split["Regex"] = r"\s+|\S+"
    with pytest.raises(ConfigError, match=r"pre-tokenizers of llama-bpe, qwen2, not .*\\\\s\+\|\\\\S\+"):
        pre_tokenizer_name(spec)


def test_cli_writes_q8_0_and_refuses_an_unsupported_architecture(
    tiny_model_dir: Path, tmp_path: Path, qwen_tokenizer: Any
) -> None:
    from transformers import GPT2Config, GPT2LMHeadModel

    runner = CliRunner()
    out = tmp_path / "out" / "tiny-q8.gguf"
    args = ["finetune", "export", "--model", str(tiny_model_dir), "--gguf", str(out), "--outtype", "q8_0"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "WENZHEN_GGUF=" in result.output
    reader = GGUFReader(out)
    kinds = {tensor.name: tensor.tensor_type for tensor in reader.tensors}
    assert kinds["blk.0.attn_q.weight"] == GGMLQuantizationType.Q8_0
    assert kinds["blk.0.attn_norm.weight"] == GGMLQuantizationType.F32
    assert reader.fields["general.architecture"].contents() == "qwen2"
    assert reader.fields["tokenizer.ggml.eos_token_id"].contents() == qwen_tokenizer.convert_tokens_to_ids(
        "<|im_end|>"
    )

    gpt2 = tmp_path / "gpt2"
    config = GPT2Config(n_layer=1, n_embd=32, n_head=2, vocab_size=len(qwen_tokenizer))
    GPT2LMHeadModel(config).save_pretrained(gpt2)
    qwen_tokenizer.save_pretrained(gpt2)
    refused = runner.invoke(app, ["finetune", "export", "--model", str(gpt2), "--gguf", str(tmp_path / "g")])
    assert refused.exit_code != 0 and "'gpt2'" in refused.output and "convert_hf_to_gguf.py" in refused.output
    bad = runner.invoke(app, [*args[:-1], "q3"])
    assert bad.exit_code == 2 and "q3" in bad.output
