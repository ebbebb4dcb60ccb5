"""The edition folder (``output/<slug>/``) as one contract: what is in it, what it is called, how it is made.

* **Files**: the names and MIME types of every file an edition may hold (:data:`AUDIO_FILES`,
  :data:`CHAPTERS`, :data:`TRANSCRIPTS`, :data:`SHOWNOTES_MD`/:data:`SHOWNOTES_HTML`, :data:`COVER_NAMES`).
  The writers write them and publishing links them; neither spells a name or a type itself.
* **The manifest**: ``episode.json`` as a frozen :class:`Manifest` (:meth:`Manifest.to_dict` /
  :meth:`Manifest.from_dict`); :func:`read_manifest` is the one place that parses it.
* **The folder's name** (:func:`edition_slug`) and the **transaction** that replaces an edition
  (:func:`transaction`): one render per edition at a time, work files in a private folder, every file
  renamed into place with ``episode.json`` last, a full disk explained in one line.
* **The section store** of an edition beside the output (:func:`sections_dir`, :func:`load_levels`,
  :func:`save_levels`), which the next render reuses.

Two modules, everything re-exported here: :mod:`.contract` (files and manifest) and :mod:`.folder` (slug,
transaction, sections). Importing this package loads no third-party library.
"""

from pipeline.edition.contract import (
    AUDIO_FILES,
    AUDIO_FORMATS,
    CHAPTERS,
    COVER_FILES,
    COVER_NAMES,
    MANIFEST_FILE,
    OPTIONAL_FILES,
    SHOWNOTES_HTML,
    SHOWNOTES_MD,
    TRANSCRIPT_JSON,
    TRANSCRIPT_SRT,
    TRANSCRIPT_VTT,
    TRANSCRIPTS,
    ChapterEntry,
    EditionFile,
    FileEntry,
    Manifest,
    SpeakerEntry,
    cover_mime,
    read_manifest,
    write_manifest,
)
from pipeline.edition.folder import (
    LEVELS_FILE,
    LOCK_WAIT_S,
    SECTIONS_DIR,
    Transaction,
    edition_dir,
    edition_lock,
    edition_slug,
    explain_failures,
    load_levels,
    move_into_place,
    prepare_output,
    save_levels,
    sections_dir,
    transaction,
    work_dir,
)

__all__ = [
    "AUDIO_FILES", "AUDIO_FORMATS", "CHAPTERS", "COVER_FILES", "COVER_NAMES", "LEVELS_FILE", "LOCK_WAIT_S",
    "MANIFEST_FILE", "OPTIONAL_FILES", "SECTIONS_DIR", "SHOWNOTES_HTML", "SHOWNOTES_MD", "TRANSCRIPTS",
    "TRANSCRIPT_JSON", "TRANSCRIPT_SRT", "TRANSCRIPT_VTT", "ChapterEntry", "EditionFile", "FileEntry", "Manifest",
    "SpeakerEntry", "Transaction", "cover_mime", "edition_dir", "edition_lock", "edition_slug", "explain_failures",
    "load_levels", "move_into_place", "prepare_output", "read_manifest", "save_levels", "sections_dir",
    "transaction", "work_dir", "write_manifest",
]
