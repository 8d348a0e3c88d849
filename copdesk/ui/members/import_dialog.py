"""The CSV import preview: what will be added, what is wrong and where, what doubles."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from copdesk.data.csvio import ImportPreview, ImportRow
from copdesk.framework import level_label
from copdesk.ui.members.form import FIELD_LABELS
from copdesk.ui.members.model import Index

ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with byte-order mark",
    "cp1252": "Windows (Excel) encoding",
}


class RColumn(IntEnum):
    LINE = 0
    NAME = 1
    EMAIL = 2
    ORGANISATION = 3
    LEVEL = 4
    NOTE = 5


_TITLES = ("Line", "Name", "Email", "Organisation", "Participation", "Note")


def row_note(row: ImportRow) -> str:
    if row.errors:
        return "; ".join(row.errors)
    notes = []
    for dup in row.duplicates:
        why = "same email" if dup.reason == "email" else "same name"
        notes.append(f"already in the community: {dup.full_name} ({why})")
    if row.duplicate_in_file is not None:
        notes.append(f"repeats line {row.duplicate_in_file} of the file")
    return "; ".join(notes) or "Ready to import"


class ImportRowsModel(QAbstractTableModel):
    """Rows of an import preview (one category of them)."""

    def __init__(self, rows: tuple[ImportRow, ...], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows = rows

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(RColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(RColumn)
        ):
            return _TITLES[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = RColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            data = row.data
            match column:
                case RColumn.LINE:
                    return str(row.line)
                case RColumn.NAME:
                    return data.full_name if data else ""
                case RColumn.EMAIL:
                    return data.email if data else ""
                case RColumn.ORGANISATION:
                    return data.organisation if data else ""
                case RColumn.LEVEL:
                    return level_label(data.level) if data else ""
                case RColumn.NOTE:
                    return row_note(row)
        if role == Qt.ItemDataRole.ForegroundRole and column == RColumn.NOTE:
            if row.errors or row.data is None:
                return QColor("#b03a2e")
            if row.duplicates or row.duplicate_in_file is not None:
                return QColor("#9a4f00")
        if role == Qt.ItemDataRole.TextAlignmentRole and column == RColumn.LINE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class MappingModel(QAbstractTableModel):
    """CSV header → member field (and the headers that are ignored)."""

    def __init__(self, preview: ImportPreview, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pairs: list[tuple[str, str]] = [
            (header, FIELD_LABELS.get(name, name)) for header, name in preview.mapping.items()
        ] + [(header, "(ignored)") for header in preview.unmapped]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._pairs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < 2
        ):
            return ("Column in the file", "Read as")[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._pairs)):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._pairs[index.row()][index.column()]
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and self._pairs[index.row()][1] == "(ignored)"
        ):
            return QColor("#8a8f94")
        return None


def _view(model: QAbstractTableModel, *, wrap: bool = False) -> QTableView:
    """A read-only table; ``wrap`` lets the last column (the reasons) wrap onto more lines."""
    view = QTableView()
    view.setModel(model)
    view.verticalHeader().hide()
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(wrap)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if wrap:
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return view


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


class ImportPreviewDialog(QDialog):
    """Shows an :class:`ImportPreview`; accepting it means "import the valid rows"."""

    def __init__(self, preview: ImportPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle(f"Import {preview.path.name}")
        self.setObjectName("importPreview")
        valid, invalid, dups = preview.valid_rows, preview.invalid_rows, preview.duplicate_rows

        summary = QLabel(
            f"<b>{len(valid)}</b> of {_plural(len(preview.rows), 'row')} can be imported"
            f" · <b>{len(invalid)}</b> invalid"
            f" · <b>{len(dups)}</b> duplicate{'' if len(dups) == 1 else 's'} (not imported)"
            f"<br><span style='color:#5d6d7e'>Read as "
            f"{ENCODINGS.get(preview.encoding, preview.encoding)}, columns separated by "
            f"{'semicolons' if preview.delimiter == ';' else 'commas'}. "
            "Nothing is imported until you press Import.</span>"
        )
        summary.setTextFormat(Qt.TextFormat.RichText)
        summary.setWordWrap(True)
        self.summary = summary

        self.valid_model = ImportRowsModel(valid, self)
        self.invalid_model = ImportRowsModel(invalid, self)
        self.duplicate_model = ImportRowsModel(dups, self)
        self.mapping_model = MappingModel(preview, self)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(_view(self.valid_model), f"To import ({len(valid)})")
        self.tabs.addTab(_view(self.invalid_model, wrap=True), f"Invalid ({len(invalid)})")
        self.tabs.addTab(_view(self.duplicate_model, wrap=True), f"Duplicates ({len(dups)})")
        self.tabs.addTab(_view(self.mapping_model), "Column mapping")
        if not valid and invalid:
            self.tabs.setCurrentIndex(1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button: QPushButton = self.buttons.addButton(
            f"Import {_plural(len(valid), 'member')}",
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.import_button.setEnabled(bool(valid))
        self.import_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self.resize(980, 520)
