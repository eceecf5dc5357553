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

TEXTS = ["我最近右上腹隐痛，还乏力。", "体温 38.5 度，没有咳嗽。", "The patient has a fever and a cough."]
"""What the test tokenizers are trained on."""
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


def transformers_logits(settings: GeneratorSettings, prompt: str = PROMPT) -> tuple[list[int], np.ndarray]:
    model, tokenizer = load_model(settings, dtype="fp32")
    ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        return ids, model(torch.tensor([ids])).logits[0].numpy()


def assert_same_model(gguf: Path, settings: GeneratorSettings, prompt: str = PROMPT) -> np.ndarray:
    ids, expected = transformers_logits(settings, prompt)
    assert llama_cpp_ids(gguf, prompt) == ids
    got = llama_cpp_logits(gguf, ids)
    assert (got.argmax(-1) == expected.argmax(-1)).all()
    assert np.abs(got - expected).max() < 0.02 * np.abs(expected).max()
    return expected


def save_tiny_llama(folder: Path, vocab: int, seed: int, **options: Any) -> None:
    """A 2-layer random LLaMA (weights large enough that a wrong layout shows in the logits)."""
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=vocab,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        initializer_range=0.5,
        **options,
    )
    torch.manual_seed(seed)
    LlamaForCausalLM(config).save_pretrained(folder)


@pytest.fixture(scope="module")
def tiny_llama_dir(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer random LLaMA (untied output, grouped heads) with the Qwen tokenizer."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    folder = tmp_path_factory.mktemp("tiny-llama")
    save_tiny_llama(folder, len(tokenizer), seed=1, num_key_value_heads=2, tie_word_embeddings=False)
    tokenizer.save_pretrained(folder)
    return folder


def sentencepiece_tokenizer(folder: Path) -> None:
    """A tokenizer laid out as LLaMA-2's ``tokenizer.json`` (BPE with byte fallback, "▁" for spaces and
    before the text), trained here on a few sentences: characters it never saw become byte tokens."""
    from tokenizers import Tokenizer, decoders, models, normalizers, trainers

    model = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    model.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    model.decoder = decoders.Sequence(
        [decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)]
    )
    specials = ["<unk>", "<s>", "</s>", *(f"<0x{byte:02X}>" for byte in range(256))]
    model.train_from_iterator(TEXTS * 20, trainers.BpeTrainer(vocab_size=400, special_tokens=specials))
    save_tokenizer(model, folder)


def bloom_tokenizer(folder: Path) -> None:
    """A byte-level BPE with Bloom's pre-tokenizer (its Split regex, as bigscience/bloom has it)."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

    model = Tokenizer(models.BPE())
    model.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(" ?[^(\\s|[.,!?…。，、।۔،])]+"), "isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    model.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=500,
        special_tokens=["<unk>", "<s>", "</s>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    model.train_from_iterator(TEXTS * 20, trainer)
    save_tokenizer(model, folder)


def save_tokenizer(model: Any, folder: Path) -> None:
    from transformers import PreTrainedTokenizerFast

    tokenizer = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=model, unk_token="<unk>", bos_token="<s>", eos_token="</s>"
    )
    tokenizer.save_pretrained(folder)


def vocab_size(folder: Path) -> int:
    return len(json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))["model"]["vocab"])


def test_a_llama_model_with_a_sentencepiece_tokenizer_runs_in_llama_cpp_as_in_transformers(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "llama-spm"
    sentencepiece_tokenizer(folder)
    save_tiny_llama(folder, vocab_size(folder), seed=3)
    settings = GeneratorSettings(model=str(folder))
    result = export_gguf(settings, tmp_path / "spm.gguf", "f32")
    # 肝区不适: never seen, in bytes; "e a", "cough.5": where merging by rank, not leftmost first, matters
    prompt = "我最近右上腹隐痛，还乏力。体温 38.5 度，肝区不适, the patient has a cough.5"
    ids, _ = transformers_logits(settings, prompt)
    assert "<0xE8>" in hf_tokens(folder, ids)  # byte fallback on both sides, tokens alike
    assert_same_model(result.path, settings, prompt)
    fields = GGUFReader(result.path).fields
    assert fields["tokenizer.ggml.model"].contents() == "llama"
    assert fields["tokenizer.ggml.add_space_prefix"].contents() is True


def test_a_bloom_model_runs_in_llama_cpp_as_in_transformers(tmp_path: Path) -> None:
    from transformers import BloomConfig, BloomForCausalLM

    folder = tmp_path / "bloom"
    bloom_tokenizer(folder)
    config = BloomConfig(
        vocab_size=vocab_size(folder), hidden_size=64, n_layer=2, n_head=4, initializer_range=0.5
    )
    torch.manual_seed(4)
    BloomForCausalLM(config).save_pretrained(folder)
    settings = GeneratorSettings(model=str(folder))
    result = export_gguf(settings, tmp_path / "bloom.gguf", "f32")
    assert result.architecture == "bloom"
    prompt = "我最近右上腹隐痛，还乏力。体温 38.5 度，肝区不适, the patient has a cough."
    assert_same_model(result.path, settings, prompt)  # ALiBi, fused q/k/v regrouped, Bloom's splitting
    assert GGUFReader(result.path).fields["tokenizer.ggml.pre"].contents() == "bloom"


def hf_tokens(folder: Path, ids: list[int]) -> list[str]:
    from transformers import AutoTokenizer

    return list(AutoTokenizer.from_pretrained(folder).convert_ids_to_tokens(ids))


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
    refusal = r"pre-tokenizers of bloom, llama-bpe, qwen2, not .*\\\\s\+\|\\\\S\+"
    with pytest.raises(ConfigError, match=refusal):
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
