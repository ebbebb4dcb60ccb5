"""Casting: a distinct voice for every speaker, a narrator voice distinct from all of them.

Rules, in order of strength:

1. A user cast file (``--cast cast.toml``, see :mod:`pipeline.cast.castfile`) fixes what it names.
2. Speakers are cast one by one in order of first appearance; each takes the first free voice of its
   preset candidates (host or guest list, then the language's wider pool) that matches its gender, so
   adding a speaker never changes the voices of those before it and the same input casts the same way.
3. Gender comes from the cast file, the source (``Speaker.gender``) or the name table
   (:mod:`pipeline.cast.names`); unknown genders alternate so host and first guest contrast.
4. When the voices run out, a voice is reused with clearly different pitch/rate (:data:`VARIANTS`), never
   with the same settings as a speaker adjacent in the dialogue and preferably not the same base voice.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from pipeline.cast.castfile import CastEntry, CastFile, load_cast_file
from pipeline.cast.names import guess_gender, role_hint
from pipeline.cast.presets import Preset, load_preset
from pipeline.cast.voices import Catalogue, load_catalogue
from pipeline.errors import BadInput, RecastError
from pipeline.lang import script_region
from pipeline.model import Cast, Script, Speaker, Voice, VoiceSettings
from pipeline.synth.engines import ENGINES, engine_names

#: (pitch Hz, rate %) offsets for reusing a voice, in order of use: clearly audible, still natural.
VARIANTS: tuple[tuple[int, int], ...] = ((0, 0), (10, 8), (-10, -8), (20, -4), (-20, 4), (10, -10), (-10, 10),
                                         (30, 4), (-30, -4))

#: Smallest pitch (Hz) or rate (%) difference that tells two uses of one voice apart.
CLEAR_PITCH, CLEAR_RATE = 8, 8

_CLOSERS = "」』”’\"')）]】》〉 \t\n"
_QUESTION_END = re.compile(r"(?:[?？]|[嗎吗呢麼么][。．.!！…~～]*)$")


def cast_script(script: Script, engine: str, *, cast_file: Path | None = None,
                catalogue: Catalogue | None = None) -> Cast:
    """Cast ``script`` for ``engine`` (``edge`` or ``espeak``); see the module doc for the rules."""
    if engine not in ENGINES:
        raise BadInput(f"engine must be {engine_names()}, not {engine!r}")
    catalogue = catalogue or load_catalogue()
    preset = load_preset(script_region(script), engine)  # a bare "zh" is cast as its text is written
    user = load_cast_file(cast_file, script, engine, catalogue) if cast_file else CastFile()
    host, roles = assign_roles(script, user)
    casting = _Casting(script, engine, preset, catalogue, user, roles)
    for sid in appearance_order(script):
        casting.cast_speaker(sid)
    narrator = casting.cast_narrator()
    speakers = tuple((s.id, casting.settings[s.id]) for s in script.speakers)
    return Cast(engine=engine, speakers=speakers, narrator=narrator, host=host,
                roles=tuple((s.id, roles[s.id]) for s in script.speakers))


# --------------------------------------------------------------------------------------------- roles


def is_question(text: str) -> bool:
    """True when a turn ends with a question (？ / ? or a final 嗎/呢 particle)."""
    return bool(_QUESTION_END.search(text.rstrip(_CLOSERS)))


def appearance_order(script: Script) -> list[str]:
    """Speaker ids in order of first turn; speakers without turns follow in script order."""
    seen: dict[str, None] = {}
    for t in script.turns:
        seen.setdefault(t.speaker, None)
    for s in script.speakers:
        seen.setdefault(s.id, None)
    return list(seen)


def assign_roles(script: Script, user: CastFile | None = None) -> tuple[str | None, dict[str, str]]:
    """(host id, role per speaker id). A role from the cast file, the source or a label such as 主持人
    wins; otherwise the host is whoever asks most (question turns), ties going to who opens."""
    user = user or CastFile()
    order = appearance_order(script)
    explicit: dict[str, str] = {}
    entries = dict(user.speakers)
    for s in script.speakers:
        role = (entries[s.id].role if s.id in entries else None) or s.role or role_hint(s.name, s.label, *s.aliases)
        if role:
            explicit[s.id] = role
    hosts = [sid for sid in order if explicit.get(sid) == "host"]
    host: str | None = hosts[0] if hosts else None
    if host is None:
        questions: Counter[str] = Counter(t.speaker for t in script.turns if is_question(t.spoken_text))
        open_to = [sid for sid in order if explicit.get(sid) != "guest"]
        if open_to:  # order is by first turn, so the opener comes first and wins ties
            position = {sid: i for i, sid in enumerate(order)}
            host = max(open_to, key=lambda sid: (questions[sid], -position[sid]))
    roles = {s.id: explicit.get(s.id, "host" if s.id == host else "guest") for s in script.speakers}
    return host, roles


def neighbours(script: Script) -> dict[str, set[str]]:
    """Speakers adjacent in the dialogue (one speaks right after the other), per speaker id."""
    adj: dict[str, set[str]] = {s.id: set() for s in script.speakers}
    for a, b in zip(script.turns, script.turns[1:], strict=False):
        if a.speaker != b.speaker:
            adj[a.speaker].add(b.speaker)
            adj[b.speaker].add(a.speaker)
    return adj


# ----------------------------------------------------------------------------------------- assignment


class _Casting:
    """Mutable state of one casting run (voices taken so far); used only inside :func:`cast_script`."""

    def __init__(self, script: Script, engine: str, preset: Preset, catalogue: Catalogue, user: CastFile,
                 roles: dict[str, str]) -> None:
        self.script, self.engine, self.preset, self.catalogue, self.user = script, engine, preset, catalogue, user
        self.roles = roles
        self.by_id = {s.id: s for s in script.speakers}
        self.entries = dict(user.speakers)
        self.adjacent = neighbours(script)
        # The principal pair (first two speakers to appear) should contrast: when the first speaker's gender
        # is unknown but the second's is known, the first takes the other gender. Only the first two are
        # looked at, so adding later speakers never reshuffles earlier ones.
        order = appearance_order(script)
        self.partner_gender = None
        if len(order) > 1:
            partner = self.by_id[order[1]]
            pentry = self.entries.get(partner.id, _EMPTY)
            self.partner_gender = pentry.gender or partner.gender or _name_gender(partner)
        self.settings: dict[str, VoiceSettings] = {}
        self.used_settings: Counter[VoiceSettings] = Counter()
        self.used_bases: Counter[str] = Counter()
        self.genders: Counter[str] = Counter()
        self.last_gender: str | None = None
        self.reserved = {e.voice for _, e in user.speakers if e.voice}
        if user.narrator and user.narrator.voice:
            self.reserved.add(user.narrator.voice)
        self.avoid_always: set[VoiceSettings] = set()  # a fixed narrator's settings
        self._option_cache: dict[tuple, list[tuple[int, int, VoiceSettings]]] = {}
        self._floor: dict[int, int] = {}
        self.candidates = {role: self._voices(preset.candidates(role)) for role in ("host", "guest", "narrator")}
        if not self.candidates["host"] or not self.candidates["narrator"]:
            raise RecastError(f"none of the {engine} voices in {preset.source} is in the voice list; "
                              "run `recast voices --refresh` or fix the preset")
        if user.narrator and user.narrator.voice and self._fully_fixed(user.narrator):
            self.avoid_always.add(self._make(user.narrator.voice, 0, 0, "narrator", user.narrator))

    def _voices(self, names: tuple[str, ...]) -> list[Voice]:
        found = (self.catalogue.get(n, self.engine) for n in names)
        return [v for v in found if v is not None]

    def _options(self, voices: list[Voice], role: str, entry: CastEntry) -> list[tuple[int, int, VoiceSettings]]:
        """(variant index, voice index, settings) in order of preference; cached (thousands of speakers)."""
        key = (tuple(v.name for v in voices), role, entry)
        found = self._option_cache.get(key)
        if found is None:
            found = [(vi, ci, self._make(v.name, dp, dr, role, entry))
                     for vi, (dp, dr) in enumerate(VARIANTS) for ci, v in enumerate(voices)]
            self._option_cache[key] = found
        return found

    def _make(self, voice: str, dp: int, dr: int, role: str, entry: CastEntry) -> VoiceSettings:
        """Settings for a voice with a variant offset; the cast file's own values win."""
        base = self.preset.role(role)
        rate = entry.rate if entry.rate is not None else _clamp(base.rate + dr, -50, 100)
        pitch = entry.pitch if entry.pitch is not None else _clamp(base.pitch + dp, -50, 50)
        return VoiceSettings(self.engine, voice, rate=rate, pitch=pitch, volume=entry.volume or 0)

    @staticmethod
    def _fully_fixed(entry: CastEntry) -> bool:
        return entry.voice is not None and entry.rate is not None and entry.pitch is not None

    # -------------------------------------------------------------------------------------- speakers

    def cast_speaker(self, sid: str) -> None:
        speaker = self.by_id[sid]
        entry = self.entries.get(sid, _EMPTY)
        role = self.roles[sid]
        near = [self.settings[n] for n in self.adjacent[sid] if n in self.settings]
        avoid = set(near) | self.avoid_always
        near_bases = {s.voice for s in near}
        if entry.voice:
            voices = self._voices((entry.voice,))
            gender_known = True
        else:
            gender = entry.gender or speaker.gender or _name_gender(speaker)
            gender_known = gender is not None
            gender = gender or self._balancing_gender(role)
            voices = self._free_voice(role, gender, gender_known) or self._reuse_pool(role, gender, gender_known)
            if not gender_known:  # prefer the balancing gender when reusing, but accept either
                voices.sort(key=lambda v: v.gender != gender)
        chosen = self._pick(voices, role, entry, avoid, near_bases)
        self.settings[sid] = chosen
        self.used_settings[chosen] += 1
        self.used_bases[chosen.voice] += 1
        voice = self.catalogue.get(chosen.voice, self.engine)
        if voice is not None:
            self.genders[voice.gender] += 1
            self.last_gender = voice.gender

    def _balancing_gender(self, role: str) -> str:
        """For an unknown gender: the gender cast less so far; on a tie the other one than the last speaker's."""
        if self.genders["female"] != self.genders["male"]:
            return "female" if self.genders["female"] < self.genders["male"] else "male"
        if self.last_gender:
            return "male" if self.last_gender == "female" else "female"
        if self.partner_gender:
            return "male" if self.partner_gender == "female" else "female"
        return self.candidates[role][0].gender

    def _free_voice(self, role: str, gender: str, strict: bool) -> list[Voice]:
        free = [v for v in self.candidates[role] if not self.used_bases[v.name] and v.name not in self.reserved]
        same = [v for v in free if v.gender == gender]
        if same:
            return same[:1]
        return [] if strict else free[:1]

    def _reuse_pool(self, role: str, gender: str, strict: bool) -> list[Voice]:
        pool = self.candidates[role]
        same = [v for v in pool if v.gender == gender]
        return list(same if (strict and same) else pool)

    def _pick(self, voices: list[Voice], role: str, entry: CastEntry, avoid: set[VoiceSettings],
              near_bases: set[str]) -> VoiceSettings:
        """The best (voice, variant): least used settings, not a neighbour's base voice, earliest variant."""
        best: tuple | None = None
        options = self._options(voices, role, entry)
        # Use counts only grow, so the least count seen in a full scan of these options is a lower bound
        # for later scans: an option at that bound, not sharing a neighbour's voice, cannot be beaten.
        floor = self._floor.get(id(options), 0)
        least = None
        for vi, ci, s in options:
            used = self.used_settings[s]
            least = used if least is None or used < least else least
            if s in avoid:
                continue
            key = (used, s.voice in near_bases, vi, ci)
            if best is None or key < best[0]:
                best = (key, s)
                if key[:2] == (floor, False):  # options come in preference order: nothing beats this
                    break
        else:
            self._floor[id(options)] = least or 0
        if best is not None:
            return best[1]
        if entry.voice and self._fully_fixed(entry):  # the user's explicit choice stands
            return self._make(entry.voice, 0, 0, role, entry)
        return self._grid(voices, role, entry, avoid)

    def _grid(self, voices: list[Voice], role: str, entry: CastEntry, avoid: set[VoiceSettings]) -> VoiceSettings:
        """A setting outside :data:`VARIANTS`, for a speaker adjacent to very many others."""
        for dp, dr in _grid_offsets():
            for v in voices:
                s = self._make(v.name, dp, dr, role, entry)
                if s not in avoid and not self.used_settings[s]:
                    return s
        for dp, dr in _grid_offsets():
            s = self._make(voices[0].name, dp, dr, role, entry)
            if s not in avoid:
                return s
        raise BadInput("cannot give a speaker voice settings distinct from its neighbours; "
                       "change rate or pitch in the cast file")

    # -------------------------------------------------------------------------------------- narrator

    def cast_narrator(self) -> VoiceSettings:
        entry = self.user.narrator or CastEntry()
        taken = set(self.used_settings)
        first = self.settings.get(self.script.turns[0].speaker) if self.script.turns else None
        near_bases = {first.voice} if first else set()
        if entry.voice:
            voices = self._voices((entry.voice,))
        else:
            free = [v for v in self.candidates["narrator"] if not self.used_bases[v.name]]
            voices = free[:1] or self.candidates["narrator"]
        best: tuple | None = None
        for vi, ci, s in self._options(voices, "narrator", entry):
            if s in taken:
                continue
            # Sharing a speaker's voice, the narrator must sound clearly different from that speaker.
            unclear = any(t.voice == s.voice and abs(t.pitch - s.pitch) < CLEAR_PITCH
                          and abs(t.rate - s.rate) < CLEAR_RATE for t in taken)
            key = (unclear, s.voice in near_bases, self.used_bases[s.voice], vi, ci)
            if best is None or key < best[0]:
                best = (key, s)
        if best is not None:
            return best[1]
        if entry.voice and self._fully_fixed(entry):
            fixed = self._make(entry.voice, 0, 0, "narrator", entry)
            clash = next(sid for sid, s in self.settings.items() if s == fixed)
            raise BadInput(f"the narrator's voice settings in the cast file equal speaker "
                           f"{self.script.speaker(clash).name!r}'s; give the narrator another voice, rate or pitch")
        return self._grid(voices, "narrator", entry, taken)


_EMPTY = CastEntry()


def _name_gender(speaker: Speaker) -> str | None:
    return guess_gender(speaker.name, *speaker.aliases, speaker.label)


def _clamp(value: int, lo: int, hi: int) -> int:
    return max(lo, min(hi, value))


def _grid_offsets() -> Iterator[tuple[int, int]]:
    for dp in range(-40, 41, 5):
        for dr in range(-30, 41, 5):
            yield dp, dr
