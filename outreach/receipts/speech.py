"""Reading a receipt aloud with espeak-ng (``-v cmn`` speaks Mandarin), from the same text the PDF prints.

The text goes to espeak-ng on its standard input, never as an argument (a process list would show it).
espeak-ng exits 0 even when it found no sound device, so its error output is read too.
"""

from __future__ import annotations

import shutil
import subprocess

from outreach.receipts.errors import SpeechFailed, SpeechMissing

VOICES = {"zh_CN": "cmn", "en": "en"}
ENGINE = "espeak-ng"


def available(engine: str = ENGINE) -> bool:
    return shutil.which(engine) is not None


def speak(text: str, lang: str = "zh_CN", *, wav: bool = False, engine: str = ENGINE,
          speed: int = 140, timeout: float = 300.0) -> bytes:
    """Speak ``text`` on the sound device (returns b""), or with ``wav`` return it as WAV bytes in memory.

    ``speed`` is words per minute: slower than espeak-ng's 175, for older listeners.

    Raises:
        SpeechMissing: the engine is not installed.
        SpeechFailed: it could not speak (no sound device, a crash, too long).
    """
    if not available(engine):
        raise SpeechMissing(engine)
    cmd = [engine, "-v", VOICES.get(lang, "cmn"), "-s", str(speed), "--stdin"]
    if wav:
        cmd.append("--stdout")
    try:
        done = subprocess.run(cmd, input=text.encode("utf-8"), capture_output=True, timeout=timeout, check=False)
    except (subprocess.TimeoutExpired, OSError) as exc:
        raise SpeechFailed(type(exc).__name__) from exc
    err = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0 or any(line.lower().startswith("error") for line in err.splitlines()):
        raise SpeechFailed(f"exit {done.returncode}")
    if wav:
        if not done.stdout.startswith(b"RIFF"):
            raise SpeechFailed("no audio")
        return done.stdout
    return b""
