"""``python -m pipeline`` runs the recast CLI."""

from pipeline.cli import run

run()
