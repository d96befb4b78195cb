"""Errors that name what is wrong and what is allowed."""

from __future__ import annotations


class ParameterError(ValueError):
    """A parameter is unknown, of the wrong type or out of range."""
