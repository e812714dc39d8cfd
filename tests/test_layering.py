"""The architecture's layering, checked at run time: headless packages load without the UI toolkit.

`rich` itself is not checked here: httpx imports it for its own command line whenever it is installed
(Textual guarantees it is). That our code never imports rich directly is checked by import-linter.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEADLESS = ["outreach.domain", "storage", "sync", "hardware", "outreach.services", "outreach.receipts",
            "outreach.exports", "outreach.bulkdays"]


@pytest.mark.parametrize("package", HEADLESS)
def test_headless_package_does_not_load_ui_toolkit(package):
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] == 'textual' or n.startswith('outreach.ui'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"{package} pulled in {out}"


@pytest.mark.parametrize("package", ["outreach.domain", "hardware"])
def test_bottom_layers_import_nothing_of_ours(package):
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        f"own = {package!r}.split('.')[0]\n"
        "ours = ('outreach', 'storage', 'sync', 'hardware')\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ours and not n.startswith(" + repr(package) + ")"
        " and n not in ('outreach',))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"{package} imports {out}"
