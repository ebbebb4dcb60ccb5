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

