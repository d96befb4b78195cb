"""The bottom layer: the vocabulary every other part shares.

Codes (occupations, statuses, channels, random streams), how a parameter is declared,
policy records, errors, shared measures and machine-independent elementary functions.
It imports nothing from the rest of migdev; ``agents`` import only this layer.
"""
