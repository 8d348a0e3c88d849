"""The log file: a rotating log in the platform's log folder, free of personal details.

Log messages name ids, counts and paths, never a member's details. Exceptions are logged
by type and stack (files, lines, functions) without their message or source lines, since
a message may quote what a user typed (a name, an email).
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import TracebackType

# logging.handlers, traceback and platformdirs load when first used: the window's first
# paint waits for every module imported before it.

LOGGER_NAME = "copdesk"
MAX_BYTES = 512 * 1024
BACKUP_COUNT = 3

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def log_path() -> Path:
    from platformdirs import user_log_path

    return user_log_path("copdesk", appauthor=False) / "copdesk.log"


class PrivateFormatter(logging.Formatter):
    """Formats exceptions as their type and stack only, leaving their message out."""

    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:
        import traceback

        exc_type, _exc, tb = ei
        if exc_type is None:
            return ""
        frames = [
            f'  File "{f.filename}", line {f.lineno}, in {f.name}\n'
            for f in traceback.extract_tb(tb)
        ]
        return "Traceback (most recent call last):\n" + "".join(frames) + exc_type.__name__


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Log to the rotating file (created owner-only); returns its path, or None if the
    folder cannot be written (copdesk then runs without a log file)."""
    import logging.handlers

    logger = logging.getLogger(LOGGER_NAME)
    path = log_path()
    for handler in logger.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            return Path(handler.baseFilename)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
        path.chmod(0o600)
    except OSError:
        return None
    handler.setFormatter(PrivateFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
    return path


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(f"{LOGGER_NAME}.{name}")
