"""The Qt side of copdesk: windows, tabs, Qt models and dialogs."""

from copdesk.ui.pyside_sources import read_sources_without_keeping

read_sources_without_keeping()
