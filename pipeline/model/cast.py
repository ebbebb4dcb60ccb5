"""Typed data of the cast: voices and their settings, who speaks with which."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.errors import BadInput
from pipeline.model.script import NARRATOR_ID

# ----------------------------------------------------------------------------------------------- cast


@dataclass(frozen=True)
class Voice:
    """A voice in the catalogue (``voices/``)."""

    name: str
    """Engine voice id: Edge ShortName (``zh-TW-HsiaoChenNeural``) or espeak-ng voice (``cmn-latn-pinyin``)."""
    engine: str
    """``edge`` or ``espeak``."""
    locale: str
    """BCP-47 locale, e.g. ``zh-TW``."""
    gender: str
    """``female`` or ``male``."""
    personalities: tuple[str, ...] = ()
    """Edge VoiceTag personalities (``Warm``, ``Friendly`` …)."""
    categories: tuple[str, ...] = ()
    """Edge VoiceTag content categories (``News``, ``Conversation`` …)."""


@dataclass(frozen=True)
class VoiceSettings:
    """Everything an engine needs to know about how to speak: voice plus prosody."""

    engine: str
    """``edge`` or ``espeak``."""
    voice: str
    """Engine voice id."""
    rate: int = 0
    """Speaking-rate change in percent (−50 … +100)."""
    pitch: int = 0
    """Pitch change in Hz (−50 … +50)."""
    volume: int = 0
    """Volume change in percent (−50 … +50)."""

    def __post_init__(self) -> None:
        from pipeline.synth.engines import ENGINES, engine_names

        if self.engine not in ENGINES:
            raise BadInput(f"unknown engine {self.engine!r}; Recast has {engine_names(', ')}")
        if not self.voice or any(c in self.voice for c in "<>&'\"\n"):
            raise BadInput(f"invalid voice name {self.voice!r}")
        for name, value, lo, hi in (("rate", self.rate, -50, 100), ("pitch", self.pitch, -50, 50),
                                    ("volume", self.volume, -50, 50)):
            if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
                raise BadInput(f"{name} must be an integer from {lo} to {hi}, not {value!r}")

    @property
    def edge_rate(self) -> str:
        """Rate in edge-tts form, e.g. ``+10%``."""
        return f"{self.rate:+d}%"

    @property
    def edge_pitch(self) -> str:
        """Pitch in edge-tts form, e.g. ``-5Hz``."""
        return f"{self.pitch:+d}Hz"

    @property
    def edge_volume(self) -> str:
        """Volume in edge-tts form, e.g. ``+0%``."""
        return f"{self.volume:+d}%"

    def describe(self) -> str:
        """Short human form: ``zh-TW-YunJheNeural (rate +10%, pitch -5Hz)``."""
        extras = [f"{n} {v:+d}{u}" for n, v, u in (("rate", self.rate, "%"), ("pitch", self.pitch, "Hz"),
                                                    ("volume", self.volume, "%")) if v]
        return self.voice + (f" ({', '.join(extras)})" if extras else "")


@dataclass(frozen=True)
class Cast:
    """Who speaks with which voice."""

    engine: str
    """The engine the cast is for (``edge`` or ``espeak``)."""
    speakers: tuple[tuple[str, VoiceSettings], ...]
    """(speaker id, voice settings) for every speaker of the script, in script order."""
    narrator: VoiceSettings
    """The voice that reads the intro; distinct from every speaker's settings."""
    host: str | None = None
    """Speaker id of the host (opens or asks most), None for a single narrator script."""
    roles: tuple[tuple[str, str], ...] = ()
    """(speaker id, ``host``/``guest``) for every speaker."""

    def voice_for(self, speaker_id: str) -> VoiceSettings:
        """Voice settings for a speaker id, or the narrator's for :data:`NARRATOR_ID`."""
        if speaker_id == NARRATOR_ID:
            return self.narrator
        for sid, vs in self.speakers:
            if sid == speaker_id:
                return vs
        raise KeyError(speaker_id)

    def role_of(self, speaker_id: str) -> str:
        """``host`` or ``guest``."""
        return dict(self.roles).get(speaker_id, "host" if speaker_id == self.host else "guest")


