"""Faults the emulator injects, and their one-line spec (``drop@1,http429:2@3,truncate@p0.2``).

Spec items are ``KIND[:ARG]@WHERE`` separated by commas. WHERE is request numbers (``3``, ``1+4``,
``2-5``), ``*`` (every request), ``pP`` (each request with probability P, drawn from the seed) or
``text=SUBSTRING`` (requests whose text contains it; stream faults only, since HTTP faults happen before
the text arrives). Kinds:

* ``drop[:F]`` — socket closed after a fraction F of the audio; no ``turn.end``.
* ``truncate[:F]`` — clean end (``turn.end`` sent) but only fraction F of the audio (whole frames),
  metadata for every sentence still sent.

  Without F the fraction is drawn per request from 30–70 % (seeded): real cuts vary from try to try.
* ``noaudio`` — ``turn.start`` and ``turn.end`` with no audio between.
* ``http403`` (with a ``Date`` header), ``http429[:S]`` (``Retry-After: S`` when S is given),
  ``http503`` — refused at the WebSocket upgrade.
* ``stall[:S]`` — nothing sent for S seconds (default 30) after the request arrives.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

KINDS = ("drop", "truncate", "noaudio", "http403", "http429", "http503", "stall")
HTTP_KINDS = ("http403", "http429", "http503")


@dataclass(frozen=True)
class Fault:
    """One scheduled fault."""

    kind: str
    """One of :data:`KINDS`."""
    at: frozenset[int] = frozenset()
    """Request numbers (1-based, in order of arrival) it hits."""
    every: bool = False
    """Hit every request."""
    probability: float = 0.0
    """Hit each request with this probability (seeded)."""
    text: str | None = None
    """Hit requests whose text contains this (stream faults only)."""
    arg: float | None = None
    """drop/truncate: fraction of audio kept; http429: Retry-After seconds; stall: seconds."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; use one of {', '.join(KINDS)}")
        if self.text is not None and self.kind in HTTP_KINDS:
            raise ValueError(f"{self.kind} happens before the text arrives; schedule it by request number")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("fault probability must be between 0 and 1")

    def hits(self, number: int, text: str | None, seed: int, index: int) -> bool:
        """Whether request ``number`` (with ``text`` when known) meets this fault."""
        if self.text is not None:
            return text is not None and self.text in text
        if text is not None and self.kind in HTTP_KINDS:
            return False
        if self.every or number in self.at:
            return True
        return bool(self.probability) and random.Random(f"{seed}:{index}:{number}").random() < self.probability


def parse_faults(spec: str) -> tuple[Fault, ...]:
    """Faults from a spec string (see the module docstring)."""
    faults: list[Fault] = []
    for item in (s.strip() for s in spec.split(",")):
        if not item:
            continue
        head, sep, where = item.partition("@")
        if not sep or not where:
            raise ValueError(f"fault {item!r} needs @WHERE (a request number, *, pP or text=…)")
        kind, _, arg = head.partition(":")
        value = float(arg) if arg else None
        if where == "*":
            faults.append(Fault(kind, every=True, arg=value))
        elif where.startswith("text="):
            faults.append(Fault(kind, text=where[5:], arg=value))
        elif where.startswith("p"):
            faults.append(Fault(kind, probability=float(where[1:]), arg=value))
        else:
            numbers: set[int] = set()
            for part in where.split("+"):
                lo, dash, hi = part.partition("-")
                numbers.update(range(int(lo), int(hi) + 1) if dash else (int(lo),))
            faults.append(Fault(kind, at=frozenset(numbers), arg=value))
    return tuple(faults)


def choose(faults: tuple[Fault, ...], number: int, text: str | None, seed: int) -> Fault | None:
    """The first fault that hits this request (HTTP faults before the text, stream faults after)."""
    for index, fault in enumerate(faults):
        if fault.hits(number, text, seed, index):
            return fault
    return None
