"""Recast: re-synthesize podcast transcripts into multi-voice audio editions."""

__version__ = "0.1.0"
