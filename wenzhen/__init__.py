"""Wenzhen (问诊): an agentic, knowledge-graph and literature grounded framework for Chinese medical
consultation.

>>> import wenzhen
>>> wenzhen.Consultant.__name__                                         # imported on first use
'Consultant'

The few things most users need, importable from here (each imported on first use, so ``import wenzhen``
costs nothing): :class:`Consultant` and :class:`AgentSettings`; the graph store (:class:`GraphSettings`,
:class:`GraphStore`, :func:`open_store`) and its loader (:func:`load_file`, :class:`LoadOptions`); the
literature index (:func:`index_sources`, :class:`LiteratureSearcher`, :class:`LiteratureRetriever`,
:class:`RetrievalSettings`) and the graph retriever (:class:`KGRetriever`); the generator
(:class:`LocalGenerator`, :class:`WenzhenChatModel`, :func:`openai_compatible_chat_model`,
:class:`GeneratorSettings`) and training (:func:`train`, :class:`TrainConfig`); the errors
(:class:`WenzhenError` and its kinds).

Import order — each layer imports only those before it (``tests/unit/test_import_contract.py`` enforces it):

1. ``wenzhen.core``: settings, errors, file reading, issue reports, KEY=VALUE arguments, writer locks,
   console;
2. ``wenzhen.kg_loader`` (the graph store and loader) and ``wenzhen.finetune`` (the generator and its
   training), each on ``core`` alone;
3. ``wenzhen.retrieval``: the literature index and the graph retriever, on ``kg_loader``;
4. ``wenzhen.agent``: the consultation, on all of the above;
5. ``wenzhen.api``: the command line (and HTTP), on everything; this facade, like ``api``, imports anything.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from wenzhen.core.errors import ConfigError, InputError, ResourceMissing, ServiceUnavailable, WenzhenError

if TYPE_CHECKING:
    __version__: str

    from wenzhen.agent.config import AgentSettings as AgentSettings
    from wenzhen.agent.consultant import Consultant as Consultant
    from wenzhen.finetune.chat_model import WenzhenChatModel as WenzhenChatModel
    from wenzhen.finetune.chat_model import openai_compatible_chat_model as openai_compatible_chat_model
    from wenzhen.finetune.config import GeneratorSettings as GeneratorSettings
    from wenzhen.finetune.generator import LocalGenerator as LocalGenerator
    from wenzhen.finetune.train_config import TrainConfig as TrainConfig
    from wenzhen.finetune.training import train as train
    from wenzhen.kg_loader.config import GraphSettings as GraphSettings
    from wenzhen.kg_loader.loader import load_file as load_file
    from wenzhen.kg_loader.options import LoadOptions as LoadOptions
    from wenzhen.kg_loader.store import GraphStore as GraphStore
    from wenzhen.kg_loader.store import open_store as open_store
    from wenzhen.retrieval.config import RetrievalSettings as RetrievalSettings
    from wenzhen.retrieval.indexer import index_sources as index_sources
    from wenzhen.retrieval.kg import KGRetriever as KGRetriever
    from wenzhen.retrieval.langchain_retriever import LiteratureRetriever as LiteratureRetriever
    from wenzhen.retrieval.search import LiteratureSearcher as LiteratureSearcher

LAZY: dict[str, str] = {
    "AgentSettings": "wenzhen.agent.config",
    "Consultant": "wenzhen.agent.consultant",
    "WenzhenChatModel": "wenzhen.finetune.chat_model",
    "openai_compatible_chat_model": "wenzhen.finetune.chat_model",
    "GeneratorSettings": "wenzhen.finetune.config",
    "LocalGenerator": "wenzhen.finetune.generator",
    "TrainConfig": "wenzhen.finetune.train_config",
    "train": "wenzhen.finetune.training",
    "GraphSettings": "wenzhen.kg_loader.config",
    "LoadOptions": "wenzhen.kg_loader.options",
    "load_file": "wenzhen.kg_loader.loader",
    "GraphStore": "wenzhen.kg_loader.store",
    "open_store": "wenzhen.kg_loader.store",
    "RetrievalSettings": "wenzhen.retrieval.config",
    "index_sources": "wenzhen.retrieval.indexer",
    "KGRetriever": "wenzhen.retrieval.kg",
    "LiteratureRetriever": "wenzhen.retrieval.langchain_retriever",
    "LiteratureSearcher": "wenzhen.retrieval.search",
}

__all__ = [
    "ConfigError",
    "InputError",
    "ResourceMissing",
    "ServiceUnavailable",
    "WenzhenError",
    "__version__",
    *LAZY,
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("wenzhen")
    module = LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wenzhen' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
