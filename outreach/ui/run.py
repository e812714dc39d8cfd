"""Start the worker's app (``outreach`` / ``outreach --demo``). Never ends in a traceback."""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def _log_to_file() -> None:
    """Warnings go to a file (the terminal belongs to the UI). Log lines never hold personal data or secrets."""
    from outreach import locations

    try:
        folder = locations.data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        logging.basicConfig(level=logging.WARNING, filename=str(folder / "outreach-ui.log"),
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    except OSError:
        logging.basicConfig(level=logging.CRITICAL, handlers=[logging.NullHandler()])


def run_app(demo: bool = False, vault: str | Path | None = None, lang: str | None = None) -> int:
    """Build the services, run the app, close everything. Returns the exit code."""
    from outreach.services.context import build_context
    from outreach.services.errors import ServiceError

    _log_to_file()
    try:
        if demo:
            from outreach.demo import build_demo_context

            print("正在准备演示数据…… / preparing the demo…", file=sys.stderr, flush=True)
            ctx = build_demo_context(lang=lang)
        else:
            ctx = build_context(vault=vault, lang=lang)
    except ServiceError as exc:
        from outreach.i18n import CATALOGUES

        print(f"{CATALOGUES['zh_CN'].get(exc.key, exc.key)} / {CATALOGUES['en'].get(exc.key, exc.key)}",
              file=sys.stderr)
        return 1
    from outreach.ui.app import OutreachApp

    try:
        result = OutreachApp(ctx).run()
    finally:
        ctx.close()
    return int(result or 0)
