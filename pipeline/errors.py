"""One exception family for Recast.

Every failure a user can cause or meet is a :class:`RecastError`. The CLI turns it into one line on
stderr and the exit code below, in exactly one place (``pipeline.cli.main``). Library code never prints.

Exit codes (documented in the README):

* 2 — bad input (:class:`BadInput` and subclasses): the transcript, cast file, options or paths.
* 3 — synthesis or service failure (:class:`SynthesisError`): the TTS engine or service gave up.
* 1 — anything else Recast detected (:class:`RecastError`), e.g. a missing system tool or a busy output.
"""

from __future__ import annotations


class RecastError(Exception):
    """Base of every error Recast reports to users. ``str(err)`` is the one line they read."""

    exit_code: int = 1


class BadInput(RecastError):
    """The input (file, format, option, cast or show file, output path) cannot be used."""

    exit_code = 2


class SynthesisError(RecastError):
    """Speech synthesis failed after retries, or the service refused us."""

    exit_code = 3


class ServiceRefused(SynthesisError):
    """The Edge service answered 403 repeatedly (outdated client token or a wrong clock)."""


class ToolMissing(RecastError):
    """A required system program (ffmpeg, ffprobe, espeak-ng) is not installed."""

    exit_code = 1


class OutputBusy(RecastError):
    """Another render holds the lock on this edition's output folder."""

    exit_code = 1


class OutputError(RecastError):
    """The output folder cannot be written (permissions, full disk)."""

    exit_code = 1
