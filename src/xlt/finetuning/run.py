"""Moved to :mod:`xlt.pipeline.finetune` (orchestration lives in ``pipeline/``, above the
training loop it drives); this module re-exports it for one release."""

from xlt.pipeline.finetune import DataSpec, FewShot, FinetuneRunConfig, read_labelled, run_transfer

__all__ = ["DataSpec", "FewShot", "FinetuneRunConfig", "read_labelled", "run_transfer"]
