"""The ``outreach`` command run as a user runs it: a subprocess, real files, optionally a mount namespace
with a read-only bind mount or a small tmpfs (a full disk). Keys are derived with the cheap test profile."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

from tests.support.vaults import CHEAP_KDF_PRELUDE

ROOT = Path(__file__).resolve().parents[2]


def launcher(folder: Path) -> Path:
    """A script that runs ``outreach`` with the cheap key profile (same keys as :func:`use_cheap_kdf`)."""
    path = folder / "outreach_launch.py"
    if not path.exists():
        path.write_text(CHEAP_KDF_PRELUDE.replace("; ", "\n") + "\nimport sys\n"
                        "from outreach.cli.main import main\nsys.exit(main(sys.argv[1:]))\n", encoding="utf-8")
    return path


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def run(*args: str, cwd: Path, extra_env: dict[str, str] | None = None, stdin: str | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(launcher(cwd)), *args], capture_output=True, text=True, timeout=timeout,
        env=env(**(extra_env or {})), cwd=cwd, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
    )


@cache
def namespaces_work() -> bool:
    """Mount namespaces (``unshare -m``) with bind and tmpfs mounts are available (root in a container)."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt && umount /mnt"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


def in_namespace(setup: str, commands: list[list[str] | str], cwd: Path) -> list[tuple[int, str, str]]:
    """Run ``setup`` (shell, e.g. mounts) and then each ``outreach`` command (a list of words; a plain string
    is a shell line of the caller's own) in one private mount namespace; returns (exit code, stdout, stderr)
    per ``outreach`` command."""
    script = [setup]
    py, launch = shlex.quote(sys.executable), shlex.quote(str(launcher(cwd)))
    count = 0
    for argv in commands:
        if isinstance(argv, str):
            script.append(argv)
            continue
        words = " ".join(shlex.quote(a) for a in argv)
        i = count
        count += 1
        script.append(f"{py} {launch} {words} >{cwd}/out.{i} 2>{cwd}/err.{i} </dev/null; echo $? >{cwd}/rc.{i}")
    done = subprocess.run(["unshare", "-m", "sh", "-c", "\n".join(script)], capture_output=True, text=True,
                          timeout=600, env=env(), cwd=cwd)
    assert done.returncode == 0, done.stderr
    results = []
    for i in range(count):
        results.append((int((cwd / f"rc.{i}").read_text()), (cwd / f"out.{i}").read_text(),
                        (cwd / f"err.{i}").read_text()))
    return results
