"""Synthesize an episode's requests: cache first, then the engine, concurrently, with retries.

:func:`synthesize_all` resolves cache hits without touching the engine, then runs every miss under a
concurrency bound. Each attempt's audio is checked for silent partial loss
(:mod:`pipeline.synth.completeness`) and a clip cut short is requested again — unless a retry returns the
very same bytes, which a real cut never does (so a heuristic's false alarm costs one extra request, not a
failed render). Connection errors, timeouts, 429/5xx (honouring Retry-After), missing or short audio
are retried with exponential backoff and jitter (tenacity); a 403 (which edge-tts already retried once
after correcting the clock) stops at once with :class:`~pipeline.errors.ServiceRefused`. Every finished
clip is in the cache as soon as it is done, so a failed or interrupted run resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from pipeline.errors import BadInput, ServiceRefused, SynthesisError
from pipeline.model import NARRATOR_ID, Clip, Request, Synthesis
from pipeline.progress import NullProgress, Progress
from pipeline.synth.cache import ClipCache, cache_key
from pipeline.synth.completeness import check_complete
from pipeline.synth.engines import Engine, EngineFault, ServiceStatus, ShortAudio

REFUSED = ("Edge refused the request (403): the edge-tts client token is outdated or this machine's clock is "
           "wrong; upgrade edge-tts (pip install -U edge-tts) and check the clock")

_NO_PROGRESS = NullProgress()


@dataclass(frozen=True)
class Backoff:
    """Waits between attempts: exponential from ``initial`` up to ``maximum``, plus up to ``jitter``."""

    initial: float = 1.0
    """Seconds before the second attempt."""
    maximum: float = 20.0
    """Longest wait computed by the exponential rule."""
    jitter: float = 1.0
    """Random extra seconds (0…jitter) so concurrent retries spread out."""
    retry_after_cap: float = 30.0
    """Longest wait honoured from a Retry-After header."""

    def __call__(self, state: RetryCallState) -> float:
        err = state.outcome.exception() if state.outcome else None
        if isinstance(err, ServiceStatus) and err.retry_after is not None:
            return min(err.retry_after, self.retry_after_cap)
        base = min(self.maximum, self.initial * 2 ** (state.attempt_number - 1))
        return base + random.uniform(0, self.jitter)


@dataclass(frozen=True)
class SynthesisResult:
    """What a synthesis stage produced."""

    clips: tuple[Clip, ...]
    """One clip per request, in request order."""
    synthesized: int
    """Requests answered by the engine in this run (``synthesized + cached == len(clips)``; identical
    requests share one engine call)."""
    cached: int
    """Requests answered from the cache."""
    seconds: float
    """Wall time of the stage."""


# ----------------------------------------------------------------------------------------- naming


def describe(request: Request, names: Mapping[str, str] | None = None) -> str:
    """``turn 12 (勞勃·西原), part 2`` or ``intro, part 1`` (turn and part counted from 1)."""
    if request.turn is None or request.speaker == NARRATOR_ID:
        return f"intro, part {request.part + 1}"
    who = (names or {}).get(request.speaker, request.speaker)
    return f"turn {request.turn + 1} ({who}), part {request.part + 1}"


def _advice(err: BaseException) -> str:
    if isinstance(err, ServiceStatus) and err.status == 429:
        return "Edge is limiting requests; wait a few minutes or lower --concurrency, then run the same command"
    if isinstance(err, ServiceStatus):
        return "the service is having trouble; run the same command again later"
    if isinstance(err, ShortAudio) or getattr(err, "kind", "") == "no audio":
        return "the service kept returning incomplete audio; run the same command again later"
    return "check the network connection and run the same command again"


# -------------------------------------------------------------------------------------- scheduler


class _Run:
    """State of one :func:`synthesize_all` call."""

    def __init__(self, engine: Engine, cache: ClipCache, progress: Progress, max_attempts: int,
                 backoff: Backoff, names: Mapping[str, str] | None) -> None:
        self.engine, self.cache, self.progress = engine, cache, progress
        self.max_attempts, self.backoff, self.names = max_attempts, backoff, names
        self.noted: set[str] = set()

    def _before_sleep(self, request: Request):
        def note(state: RetryCallState) -> None:
            err = state.outcome.exception() if state.outcome else None
            kind = getattr(err, "kind", type(err).__name__)
            wait = state.next_action.sleep if state.next_action else 0.0
            # One notice per kind of fault, and one more when some request is down to its last try.
            if kind not in self.noted:
                self.noted.add(kind)
                self.progress.note(f"{describe(request, self.names)}: {err}; retrying in {wait:.1f} s")
            elif state.attempt_number == self.max_attempts - 1 and f"last {kind}" not in self.noted:
                self.noted.add(f"last {kind}")
                self.progress.note(f"{describe(request, self.names)} still failing ({kind}); one last try")
        return note

    async def attempts(self, request: Request, slots: asyncio.Semaphore) -> Synthesis:
        """Synthesize one request, retrying retryable faults; slots are held only while attempting."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_attempts), wait=self.backoff, reraise=True,
            retry=retry_if_exception(lambda e: isinstance(e, EngineFault) and e.retryable),
            before_sleep=self._before_sleep(request))
        suspects: set[bytes] = set()
        try:
            async for attempt in retrying:
                with attempt:
                    try:
                        async with slots:
                            synthesis = await self.engine.synthesize(request.text, request.voice,
                                                                     lang=request.lang)
                        check_complete(request, synthesis)
                    except ShortAudio as err:
                        synthesis = self._same_again(request, err, suspects)
        except ServiceStatus as err:
            if err.status == 403:
                raise ServiceRefused(REFUSED) from err
            raise self._gave_up(request, err) from err
        except EngineFault as err:
            raise self._gave_up(request, err) from err
        return synthesis

    def _same_again(self, request: Request, err: ShortAudio, suspects: set[bytes]) -> Synthesis:
        """Accept a "short" clip the engine returns byte-identical twice (a false alarm), else re-raise."""
        if err.synthesis is None:
            raise err
        digest = hashlib.sha256(err.synthesis.audio).digest()
        if digest not in suspects:
            suspects.add(digest)
            raise err
        self.progress.note(f"{describe(request, self.names)}: {err}, but the engine returns exactly this audio "
                           "every time; keeping it")
        return err.synthesis

    def _gave_up(self, request: Request, err: EngineFault) -> SynthesisError:
        where = describe(request, self.names)
        if not err.retryable:
            return SynthesisError(f"{where}: {err}")
        return SynthesisError(f"{where}: {err} (gave up after {self.max_attempts} attempts); {_advice(err)} "
                              "— finished clips are cached")


async def synthesize_all(requests: Sequence[Request], engine: Engine, cache: ClipCache, *,
                         concurrency: int | None = None, progress: Progress = _NO_PROGRESS,
                         max_attempts: int = 5, speaker_names: Mapping[str, str] | None = None,
                         backoff: Backoff = Backoff()) -> SynthesisResult:
    """Clips for ``requests`` in order: cached ones first, the rest from ``engine`` concurrently.

    ``speaker_names`` (speaker id → display name) makes error messages name the speaker.
    """
    started = time.monotonic()
    for r in requests:
        if r.voice.engine != engine.name:
            raise BadInput(f"{describe(r, speaker_names)} is cast for {r.voice.engine} but the engine is "
                           f"{engine.name}; cast the script for {engine.name}")
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    limit = concurrency or engine.default_concurrency
    progress.start("Synthesizing", len(requests))
    clips: list[Clip | None] = [None] * len(requests)
    missing: dict[str, list[int]] = {}
    for i, request in enumerate(requests):
        hit = cache.get(request, engine)
        if hit is not None:
            clips[i] = hit
            progress.advance(1, hit.duration_ms / 1000)
        else:
            missing.setdefault(cache_key(request, engine), []).append(i)
    cached = len(requests) - sum(len(v) for v in missing.values())

    run = _Run(engine, cache, progress, max_attempts, backoff, speaker_names)
    slots = asyncio.Semaphore(max(1, limit))

    async def job(indices: list[int]) -> None:
        first = requests[indices[0]]
        synthesis = await run.attempts(first, slots)
        clip = await asyncio.to_thread(cache.put, first, engine, synthesis)
        for i in indices:
            clips[i] = replace(clip, request=requests[i])
        progress.advance(len(indices), clip.duration_ms * len(indices) / 1000)

    tasks = [asyncio.create_task(job(indices)) for indices in missing.values()]
    try:
        if tasks:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        # On a failure (or Ctrl-C) stop the rest; clips already finished are in the cache.
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        progress.finish()
    errors = [t.exception() for t in tasks if not t.cancelled() and t.exception() is not None]
    if errors:
        refused = [e for e in errors if isinstance(e, ServiceRefused)]
        raise (refused or errors)[0]
    return SynthesisResult(clips=tuple(c for c in clips if c is not None), synthesized=len(requests) - cached,
                           cached=cached, seconds=time.monotonic() - started)


def synthesize(requests: Sequence[Request], engine: Engine, cache: ClipCache, *,
               concurrency: int | None = None, progress: Progress = _NO_PROGRESS, max_attempts: int = 5,
               speaker_names: Mapping[str, str] | None = None, backoff: Backoff = Backoff()) -> SynthesisResult:
    """:func:`synthesize_all` from synchronous code (runs its own event loop with :func:`asyncio.run`)."""
    return asyncio.run(synthesize_all(requests, engine, cache, concurrency=concurrency, progress=progress,
                                      max_attempts=max_attempts, speaker_names=speaker_names, backoff=backoff))
