"""The edition folder is one contract (``pipeline.edition``): what the writers list is what publishing reads."""

from __future__ import annotations

import json


def test_m4a_is_listed_as_audio_x_m4a(built):
    """Bug 3: the writer listed audio/mp4, the feed audio/x-m4a; Apple's podcaster guide lists audio/x-m4a."""
    listed = {f["name"]: f["type"] for f in json.loads((built.out / "episode.json").read_text("utf-8"))["files"]}
    assert listed["episode.m4a"] == "audio/x-m4a" and listed["episode.mp3"] == "audio/mpeg"


def test_the_manifest_round_trips_what_episode_json_holds(built):
    """Manifest.from_dict(episode.json).to_json() is the file, byte for byte (key order included)."""
    from pipeline.edition import Manifest, read_manifest

    raw = (built.out / "episode.json").read_text("utf-8")
    manifest, digest = read_manifest(built.out)
    assert manifest == built.manifest and manifest.to_json() == raw
    assert Manifest.from_dict(json.loads(raw)).to_dict() == json.loads(raw)
    assert list(manifest.to_dict()) == list(json.loads(raw))
    assert manifest.speaker_names()["narrator"] and set(manifest.speaker_names()) > {s.id for s in manifest.speakers}
    assert len(digest) == 64


def test_writers_write_the_files_the_contract_names(built):
    """Every listed file's name and type are pipeline.edition's; the audio registry has its formats."""
    from pipeline import edition
    from pipeline.writers.audio import AUDIO_WRITERS
    from pipeline.writers.text import TEXT_WRITERS

    assert tuple(AUDIO_WRITERS) == edition.AUDIO_FORMATS
    assert {f: w.name for f, w in AUDIO_WRITERS.items()} == {f: e.name for f, e in edition.AUDIO_FILES.items()}
    text = {edition.CHAPTERS, *edition.TRANSCRIPTS, edition.SHOWNOTES_MD, edition.SHOWNOTES_HTML}
    assert {(w.name, w.mime) for w in TEXT_WRITERS.values()} == {(f.name, f.mime) for f in text}
    known = {f.name: f.mime for f in (*edition.AUDIO_FILES.values(), *text)}
    known.update({name: mime for mime, name in edition.COVER_NAMES.items()})
    listed = built.manifest.files
    assert listed and all(known[f.name] == f.type for f in listed)
    assert all(edition.cover_mime(name) == mime for mime, name in edition.COVER_NAMES.items())


def test_publishing_reads_the_writers_manifest(built, tmp_path):
    """The feed's reader accepts the writer's edition as is and takes the same types."""
    import shutil

    from pipeline.publish.reader import read_edition

    folder = tmp_path / built.manifest.slug
    shutil.copytree(built.out, folder)
    info = read_edition(folder)
    types = {f.name: f.type for f in built.manifest.files}
    assert [(a.name, a.mime) for a in info.audio] == [(n, types[n]) for n in ("episode.mp3", "episode.m4a")]
    assert [t.mime for t in info.transcripts] == [types[t.name] for t in info.transcripts]
    assert info.chapters_file is not None and info.chapters_file.mime == types["chapters.json"]
    assert [c.title for c in info.chapters] == [c.title for c in built.manifest.chapters]


def test_a_malformed_manifest_is_one_line_naming_the_field():
    import pytest

    from pipeline.edition import Manifest
    from pipeline.errors import BadInput

    good = {"slug": "a", "title": "T", "language": "en", "duration_ms": 1, "files": []}
    assert Manifest.from_dict(good).slug == "a"
    for broken, says in [({**good, "files": [{"name": "../x", "bytes": 1}]}, "not a plain ASCII name"),
                         ({**good, "duration_ms": "long"}, "'duration_ms' has the wrong type"),
                         ({k: v for k, v in good.items() if k != "title"}, "lacks 'title'"),
                         ({**good, "speakers": [{"id": "s1"}]}, "every speaker needs a name")]:
        with pytest.raises(BadInput, match=says):
            Manifest.from_dict(broken)
