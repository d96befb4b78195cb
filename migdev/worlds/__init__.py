"""Shipped worlds: each subfolder is one world as data (see docs/WORLDS.md)."""
