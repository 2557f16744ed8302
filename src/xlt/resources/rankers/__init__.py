"""Packaged pretrained transfer-language rankers (see docs/ranking.md)."""
