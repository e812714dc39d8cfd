"""The CJK font embedded in PDF exports (Debian ``fonts-wqy-microhei``; ``fonts-wqy-zenhei`` as a fallback)."""

from __future__ import annotations

from pathlib import Path

#: (path, subfont index inside the TTC)
CJK_FONT_CANDIDATES = (
    (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),
    (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),
)


def find_cjk_font() -> tuple[Path, int] | None:
    """The first installed CJK TrueType collection and its subfont index, or None."""
    for path, index in CJK_FONT_CANDIDATES:
        if path.is_file():
            return path, index
    return None
