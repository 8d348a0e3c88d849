"""The selected member, in full: contact, roles, tags, notes and level history."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from copdesk.data.members import MemberRow
from copdesk.framework import MemberStatus, level_label, role_label
from copdesk.ui.members.model import LEVEL_COLOURS

CSS = """
h2 { margin: 0 0 2px 0; font-size: 15pt; color: #1c2833; }
.sub { color: #5d6d7e; margin: 0 0 8px 0; }
.k { color: #5d6d7e; padding-right: 10px; white-space: nowrap; }
.tag { background-color: #e8f1f2; color: #1f5f6b; }
.want { background-color: #fdf2e2; color: #8a4b08; }
h3 { font-size: 10pt; color: #34495e; margin: 12px 0 4px 0; }
"""


def _tags(tags: tuple[str, ...], css: str) -> str:
    if not tags:
        return "<span class='k'>none recorded</span>"
    return " ".join(f"<span class='{css}'>&nbsp;{html.escape(t)}&nbsp;</span>" for t in tags)


def member_html(row: MemberRow, history: list[tuple[dt.date, str]]) -> str:
    e = html.escape
    colour = LEVEL_COLOURS.get(row.level, "#cccccc")
    subtitle = " · ".join(x for x in (row.job_title, row.organisation) if x)
    status = "Erased (personal details removed)" if row.erased else MemberStatus(row.status).label
    facts = [
        ("Participation", f"<span style='color:{colour}'>&#9679;</span> "
                          f"{e(level_label(row.level))}"),
        ("Roles", e(", ".join(role_label(r) for r in row.roles)) or "—"),
        ("Email", e(row.email) or "—"),
        ("Region", e(row.region) or "—"),
        ("Time zone", e(row.time_zone) or "—"),
        ("Joined", row.joined_on.isoformat() if row.joined_on else "not known"),
        ("Host reports", "named" if row.consent else "counted only, never named"),
        ("Status", e(status)),
    ]
    rows = "".join(f"<tr><td class='k'>{k}</td><td>{v}</td></tr>" for k, v in facts)
    trail = " &rarr; ".join(
        f"{e(level_label(level))} <span class='k'>({on.isoformat()})</span>"
        for on, level in history
    ) or "<span class='k'>no changes recorded</span>"
    notes = (
        f"<h3>Notes</h3><p>{e(row.notes).replace(chr(10), '<br>')}</p>" if row.notes else ""
    )
    return (
        f"<style>{CSS}</style>"
        f"<h2>{e(row.full_name)}</h2>"
        f"<p class='sub'>{e(subtitle) or '&nbsp;'}</p>"
        f"<table cellspacing='0' cellpadding='2'>{rows}</table>"
        f"<h3>Knows</h3><p>{_tags(row.expertise, 'tag')}</p>"
        f"<h3>Wants to learn</h3><p>{_tags(row.interests, 'want')}</p>"
        f"<h3>Participation over time</h3><p>{trail}</p>"
        f"{notes}"
    )


EMPTY_HTML = (
    "<p style='color:#7f8c8d; margin-top:24px' align='center'>"
    "Select a member to see everything held about them.</p>"
)


class MemberDetail(QWidget):
    """A read-only view of one member with the privacy actions beside it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("memberDetail")
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.edit_button = QPushButton("Edit…")
        self.export_button = QPushButton("Export data…")
        self.export_button.setToolTip("Save everything held about this member as a JSON file")
        self.erase_button = QPushButton("Erase…")
        self.erase_button.setToolTip(
            "Remove this member's personal details for good (the right to be forgotten)"
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.erase_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addWidget(self.browser, 1)
        layout.addLayout(buttons)
        self.show_member(None, [])

    def show_member(self, row: MemberRow | None, history: list[tuple[dt.date, str]]) -> None:
        self.row = row
        for button in (self.edit_button, self.export_button, self.erase_button):
            button.setEnabled(row is not None)
        if row is not None and row.erased:
            self.erase_button.setEnabled(False)
        self.browser.setHtml(EMPTY_HTML if row is None else member_html(row, history))
