"""Chinese word segmentation (jieba lives only here)."""

from __future__ import annotations

import functools
import logging


@functools.lru_cache(maxsize=1)
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    return tok


def words(text: str) -> list[str]:
    """Split text into words with jieba (precise mode, HMM for unknown words; deterministic).

    The pieces concatenate back to ``text`` exactly.
    """
    if not text:
        return []
    return list(_tokenizer().cut(text, HMM=True))


def keywords(text: str, top: int) -> list[str]:
    """The ``top`` words of ``text`` by jieba's TF-IDF (its bundled IDF table), best first; deterministic."""
    tfidf = _tfidf()
    return list(tfidf.extract_tags(text, topK=top))


@functools.lru_cache(maxsize=1)
def _tfidf():
    import jieba.analyse

    tfidf = jieba.analyse.TFIDF()
    tfidf.tokenizer = _tokenizer()  # the one dictionary this process loads
    return tfidf
