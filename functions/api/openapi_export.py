"""Write the generated OpenAPI document: `python -m functions.api.openapi_export docs/openapi.json`."""

from __future__ import annotations

import sys
from pathlib import Path


def main(target: str) -> None:
    import functions.api.app  # noqa: F401 - composes the routes the document describes
    from functions.api.routes.openapi import openapi_document

    Path(target).write_text(openapi_document() + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/openapi.json")
