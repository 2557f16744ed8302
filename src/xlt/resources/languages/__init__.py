"""Packaged language data (see docs/languages.md for sources and licences)."""
