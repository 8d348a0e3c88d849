"""Read-only queries off the UI thread: the newest request wins, the window keeps repainting.

A view that shows something slow to compute on a large store (the knowledge map, the
function coverage) owns a :class:`QueryRunner`. ``runner.submit(store, fn, done, failed)``
runs ``fn(session)`` on a worker thread, in its OWN read session (``store.session()``;
sessions are never shared between threads), and calls ``done(result)`` (or ``failed(message)``)
back on the UI thread. The worker never touches a widget: ``fn`` only reads the store and
returns plain data.

Like the export dialog and the backup scheduler, the work goes to a :class:`QThreadPool`
(one thread per runner, so one query at a time); unlike them, requests supersede each other:

- submitting again while a query runs drops the earlier result when it arrives (a newer
  period, an edit, another community); requests that have not started yet are never run;
- :meth:`QueryRunner.cancel` (no community, a store switch) drops whatever is in flight;
- errors reach ``failed`` as a message for the user (the log keeps the detail), never as a
  traceback.

:class:`BusyIndicator` is the "Computing…" state a view shows while its runner works,
next to the content it had before (which stays visible until the new result replaces it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from copdesk.data.store import Store, StoreError
from copdesk.logs import get_logger

__all__ = ["BusyIndicator", "QueryRunner", "error_message"]

log = get_logger("tasks")

T = TypeVar("T")

#: Finished jobs kept referenced: a Python QRunnable freed while its pool thread is still
#: returning from run() crashes the interpreter (the export dialog keeps its jobs likewise).
_KEEP_JOBS = 4


def error_message(exc: BaseException) -> str:
    """What the user reads when a query failed (no traceback, no SQL)."""
    if isinstance(exc, StoreError):
        return str(exc)
    if isinstance(exc, SQLAlchemyError):
        orig = getattr(exc, "orig", None)
        detail = str(orig) if orig is not None else type(exc).__name__
        return f"the store could not be read ({detail})"
    if isinstance(exc, OSError):
        return f"the store could not be read ({exc.strerror or exc})"
    return f"something went wrong ({type(exc).__name__}: {exc})"


class _JobSignals(QObject):
    # generation, ok, result or message; emitted on the worker thread, received on the UI
    # thread (the runner lives there, so the connection is queued).
    done = Signal(int, bool, object)


@dataclass(slots=True)
class _Request(Generic[T]):
    generation: int
    store: Store
    fn: Callable[[Session], T]
    done: Callable[[T], None]
    failed: Callable[[str], None] | None


class _Job(QRunnable):
    def __init__(self, request: _Request[Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the runner keeps it (see _KEEP_JOBS)
        self.request = request
        self.signals = _JobSignals()

    def run(self) -> None:
        request = self.request
        try:
            with request.store.session() as session:
                result = request.fn(session)
        except (StoreError, SQLAlchemyError, OSError) as exc:
            log.warning("background query failed: %s", type(exc).__name__)
            self.signals.done.emit(request.generation, False, error_message(exc))
        except Exception as exc:  # never a traceback for the user; the log keeps the detail
            log.exception("background query failed")
            self.signals.done.emit(request.generation, False, error_message(exc))
        else:
            self.signals.done.emit(request.generation, True, result)


class QueryRunner(QObject):
    """Runs one read-only query at a time off the UI thread; a newer request supersedes.

    ``busy_changed(bool)`` tells the view when to show and hide its busy indicator.
    """

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._generation = 0
        self._running: _Request[Any] | None = None
        self._pending: _Request[Any] | None = None
        self._jobs: list[_Job] = []
        self._busy = False

    @property
    def generation(self) -> int:
        """Rises with every submit and cancel; a result of an older one is dropped."""
        return self._generation

    def is_busy(self) -> bool:
        """A query whose result is still wanted is running or waiting to run."""
        return self._busy

    def submit(
        self,
        store: Store,
        fn: Callable[[Session], T],
        done: Callable[[T], None],
        failed: Callable[[str], None] | None = None,
    ) -> int:
        """Run ``fn(session)`` on the worker; ``done(result)`` on the UI thread if still wanted.

        Returns the request's generation.
        """
        self._generation += 1
        self._pending = _Request(self._generation, store, fn, done, failed)
        if self._running is None:
            self._start_pending()
        self._set_busy(True)
        return self._generation

    def run_now(
        self,
        store: Store,
        fn: Callable[[Session], T],
        done: Callable[[T], None],
        failed: Callable[[str], None] | None = None,
    ) -> None:
        """Run ``fn`` right here, on the UI thread, superseding anything in flight.

        For queries known to be quick (a small community): a thread hop and a flash of
        "Computing…" would cost more than the query. Errors are handled as in the worker.
        """
        self.cancel()
        try:
            with store.session() as session:
                result = fn(session)
        except Exception as exc:  # never a traceback for the user; the log keeps the detail
            if isinstance(exc, (StoreError, SQLAlchemyError, OSError)):
                log.warning("query failed: %s", type(exc).__name__)
            else:
                log.exception("query failed")
            if failed is not None:
                failed(error_message(exc))
            return
        done(result)

    def cancel(self) -> None:
        """Drop the running query's result and anything waiting (it cannot be interrupted)."""
        self._generation += 1
        self._pending = None
        self._set_busy(False)

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the worker is idle (for closing and for tests); results still come
        through the event loop."""
        return bool(self.pool.waitForDone(msecs))

    # -- internals -----------------------------------------------------------------------
    def _start_pending(self) -> None:
        request, self._pending = self._pending, None
        if request is None:
            return
        job = _Job(request)
        job.signals.done.connect(self._on_done)
        self._jobs = [*self._jobs[-(_KEEP_JOBS - 1):], job]
        self._running = request
        self.pool.start(job)

    def _on_done(self, generation: int, ok: bool, payload: object) -> None:
        request, self._running = self._running, None
        # Start the newest waiting request first, so it runs while this result is shown.
        self._start_pending()
        if request is None or generation != self._generation or request.generation != generation:
            return  # superseded by a newer request or cancelled: drop it
        self._set_busy(False)
        if ok:
            request.done(payload)
        elif request.failed is not None:
            request.failed(str(payload))

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)


class BusyIndicator(QWidget):
    """A small "Computing…" label with an indeterminate bar; hidden while idle."""

    def __init__(self, text: str = "Computing…", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("busyIndicator")
        self.label = QLabel(text)
        self.label.setObjectName("busyText")
        self.label.setStyleSheet("color: #5d6d7e;")
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy: Qt animates it while the event loop runs
        self.bar.setTextVisible(False)
        self.bar.setFixedSize(90, 10)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # the bar beside it does not jump when it shows
        self.setSizePolicy(policy)
        self.setVisible(False)

    def set_busy(self, busy: bool) -> None:
        self.setVisible(busy)
