"""The ``copdesk`` command: the window with no arguments, headless commands otherwise.

CONTRACT (to be implemented by the CLI work): see issue 2's "Command line" section.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from copdesk import __version__


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:
        print(f"copdesk {__version__}")
        return 0
    raise NotImplementedError
