"""copdesk: a desktop workbench for the people who run Communities of Practice."""

__version__ = "0.1.0"
