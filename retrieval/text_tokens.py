"""Tokens for BM25: jieba's search-mode segmentation, lower-cased, punctuation and spaces dropped.

>>> "肝癌" in bm25_tokens("原发性肝癌的早期症状")
True
"""

from __future__ import annotations

import logging
import re

import jieba

jieba.setLogLevel(logging.WARNING)
_WORDLIKE = re.compile(r"\w", re.UNICODE)


def bm25_tokens(text: str) -> list[str]:
    return [token.lower() for token in jieba.cut_for_search(text) if _WORDLIKE.search(token)]
