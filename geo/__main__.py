"""Command line: ``python -m geo <command> ...``.

Commands: ``build`` (regenerate derived data), ``link`` (find place mentions in a text),
``articles`` (manage the article corpus), ``assets`` (copy Leaflet and plugins to ./static).
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "build": "geo.build",
    "link": "geo.linker",
    "articles": "geo.articles",
    "assets": "geo.assets",
}


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the ``main(argv)`` of the module that owns the command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print(f"usage: python -m geo {{{','.join(COMMANDS)}}} ...", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[argv[0]])
    return int(module.main(argv[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
