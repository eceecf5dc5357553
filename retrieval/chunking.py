"""Chinese-aware chunking, bounded in the embedder's tokens, with overlap and stable chunk ids.

>>> chunker = Chunker(tokenizer, max_tokens=256, overlap_tokens=32)       # doctest: +SKIP
>>> chunker.split(SourceDocument("d1", "肝癌是……。早期症状……。", "d1.txt"))   # doctest: +SKIP

LangChain's recursive splitter does the work: it breaks at paragraphs, lines, then Chinese and Western
sentence ends (。！？；), then clause marks, measuring length with the embedding model's own tokenizer.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from langchain_text_splitters import RecursiveCharacterTextSplitter

from wenzhen.retrieval.documents import MetadataValue, SourceDocument

SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", "! ", "? ", "; ", ". ", "，", "、", ", ", " ", ""]
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Chunk:
    """A piece of a document as indexed: stable id, provenance, text."""

    chunk_id: str
    doc_id: str
    source: str
    position: int
    start: int
    text: str
    metadata: dict[str, MetadataValue] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        """Identity of the content (whitespace-insensitive): equal texts are indexed once."""
        return hashlib.sha1(_SPACES.sub(" ", self.text).strip().encode()).hexdigest()


def chunk_id(doc_id: str, position: int, start: int, text: str) -> str:
    digest = hashlib.sha1(f"{doc_id}\0{position}\0{start}\0{text}".encode()).hexdigest()
    return digest[:20]


class Chunker:
    def __init__(self, tokenizer: Any, max_tokens: int, overlap_tokens: int) -> None:
        self.max_tokens = max_tokens
        self.splitter = RecursiveCharacterTextSplitter.from_huggingface_tokenizer(
            tokenizer,
            chunk_size=max_tokens,
            chunk_overlap=overlap_tokens,
            separators=SEPARATORS,
            keep_separator="end",
            add_start_index=True,
            strip_whitespace=True,
        )

    def split(self, document: SourceDocument) -> list[Chunk]:
        pieces = self.splitter.create_documents([document.text])
        return [
            Chunk(
                chunk_id(
                    document.doc_id, document.position, piece.metadata["start_index"], piece.page_content
                ),
                document.doc_id,
                document.source,
                document.position,
                piece.metadata["start_index"],
                piece.page_content,
                dict(document.metadata),
            )
            for piece in pieces
        ]
