"""Errors that name what is wrong and what is allowed."""

from __future__ import annotations

import difflib


class ParameterError(ValueError):
    """A parameter is unknown, of the wrong type or out of range."""


def did_you_mean(word: str, choices) -> str:
    """" (did you mean 'x'?)" for the closest of ``choices``, or "" when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
