"""One pause of the cycle collector shared by bulk row builds on any thread."""

from __future__ import annotations

import gc
import threading

from copdesk.data.bulk import collector_paused


def test_overlapping_builds_on_two_threads_share_one_pause() -> None:
    assert gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    def worker() -> None:
        with collector_paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=worker)
    with collector_paused():
        thread.start()
        assert inside.wait(5)
        assert not gc.isenabled()
    assert not gc.isenabled()  # the worker's build still runs: still paused
    release.set()
    thread.join(5)
    assert gc.isenabled()  # the last one out turns it back on


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused(), collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
