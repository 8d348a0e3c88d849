"""Errors raised by the report builders (messages are for the user)."""


class ReportError(Exception):
    """A report could not be written; nothing was left at the output path."""
