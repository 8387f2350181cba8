"""Small HTML helpers shared by the report's sections."""

from __future__ import annotations

import html


def escape(text: object) -> str:
    """`text` as HTML-escaped text, quotes included."""
    return html.escape(str(text), quote=True)
