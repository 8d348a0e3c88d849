"""Keep PySide6 from holding the source of every imported module in memory.

PySide6 looks at each module imported after it to learn whether the module uses PySide6
(for its opt-in ``from __feature__ import ...`` switches). It asks ``inspect.getsource``,
which reads the file through :mod:`linecache`, and ``linecache`` keeps every line of every
file it read for the life of the process: with SQLAlchemy and copdesk that is ~500 files,
about 20 MB of the window's memory, read once and never used again.

:func:`read_sources_without_keeping` answers the same question by reading the file's bytes
once and letting them go. Modules without a ``.py`` file keep PySide6's own check.
"""

from __future__ import annotations

import linecache
import sys
from collections.abc import Callable
from types import ModuleType

_MARK = "_copdesk_reads_once"


def _uses_pyside(original: Callable[[ModuleType], bool]) -> Callable[[ModuleType], bool]:
    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return original(module)

    setattr(uses_pyside, _MARK, True)
    return uses_pyside


def read_sources_without_keeping() -> bool:
    """Swap PySide6's check for one that keeps nothing; True when it is in place.

    Safe to call more than once; does nothing on a PySide6 without that check.
    """
    import PySide6.QtCore  # noqa: F401  (loads PySide6's import hook)

    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(original):
        return False
    if not getattr(original, _MARK, False):
        feature._mod_uses_pyside = _uses_pyside(original)  # type: ignore[attr-defined]
        # What was read before this point is not needed either (tracebacks read it again).
        linecache.clearcache()
    return True
