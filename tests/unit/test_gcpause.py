"""xlt.gcpause: the collector is paused inside the block and restored after it."""

from __future__ import annotations

import pytest


def test_gc_paused_restores_the_collector_state():
    import gc

    from xlt.gcpause import gc_paused

    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()  # re-enabled even after an error
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a collector the caller had disabled stays disabled
    finally:
        gc.enable()
