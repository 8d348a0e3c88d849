"""``python -m copdesk`` runs the same entry point as the ``copdesk`` command."""

import sys

from copdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
