"""The shipped experiment configs (TOML), found as package resources."""
