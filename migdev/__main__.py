"""``python -m migdev`` is the ``migdev`` command."""

from migdev.experiments.cli import run

run()
