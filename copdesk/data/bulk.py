"""Building many row objects at once: without the cycle collector's passes meanwhile."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_pauses = 0  # bulk builds under way (on any thread) that paused the collector
_was_enabled = False


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while many long-lived row objects are built.

    Each few hundred new objects start a collection, and rows that stay alive push older
    generations into full passes over every object the program holds: a third of the time
    20,000 value entries take, a twentieth of a large import's. Rows hold no reference
    cycles for it to find; whatever garbage the pause leaves is collected once it is over.
    Nested and concurrent builds (a worker thread and the UI thread) share one pause; the
    collector comes back on when the last ends, and only if it was on.
    """
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
