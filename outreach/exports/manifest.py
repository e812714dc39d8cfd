"""The signed manifest of an export, and ``export verify``.

``manifest.json`` lists the export id, who signed (the laptop's device key or the center's key), the filters,
and per file its name, dataset, format, row count, size and SHA-256. The signature is Ed25519 over a fixed
prefix plus the canonical JSON of everything else, so it can never pass for an operation signature.

Verification names each problem and the file it is in: a changed byte (hash), a removed or added row (CSV and
JSON Lines are also counted), a file from another export (its export id), a missing, unlisted or swapped file,
and a manifest altered or signed by a key that is not trusted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from outreach.domain.operation import canonical_json
from outreach.exports.errors import VerifyFailed
from outreach.exports.writers import CSV_END

MANIFEST = "manifest.json"
_PREFIX = b"outreach-export-manifest-v1\n"

Signer = Callable[[bytes], bytes]


def file_digest(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size, read in 1 MiB chunks."""
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def signed_bytes(manifest: dict[str, Any]) -> bytes:
    return _PREFIX + canonical_json({k: v for k, v in manifest.items() if k != "signature"})


def sign(manifest: dict[str, Any], signer: Signer) -> dict[str, Any]:
    return {**manifest, "signature": signer(signed_bytes(manifest)).hex()}


def write(folder: Path, manifest: dict[str, Any]) -> None:
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                   encoding="utf-8")


def _p(name: str, zh: str, en: str) -> tuple[str, str, str]:
    return (name, zh, en)


def _count_text_rows(path: Path, fmt: str) -> tuple[int, str | None]:
    """Data rows and the export id of the end line (None when the end line is missing)."""
    rows, export_id = 0, None
    if fmt == "csv":
        import csv

        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            next(reader, None)
            for line in reader:
                if line and line[0] == CSV_END:
                    export_id = line[1] if len(line) > 1 else ""
                    break
                rows += 1
    else:
        with open(path, encoding="utf-8") as fh:
            next(fh, None)
            for text in fh:
                obj = json.loads(text)
                if isinstance(obj, dict) and "export_end" in obj:
                    export_id = str(obj["export_end"].get("export_id"))
                    break
                rows += 1
    return rows, export_id


def _check_file(folder: Path, entry: dict[str, Any], export_id: str) -> list[tuple[str, str, str]]:
    name = str(entry["name"])
    path = folder / name
    if not path.is_file():
        return [_p(name, "文件缺失", "file missing")]
    digest, size = file_digest(path)
    if digest == entry["sha256"] and size == entry["bytes"]:
        return []
    problems = [_p(name, "文件内容已改变（SHA-256 不符）", "file content changed (SHA-256 differs)")]
    if entry["format"] in ("csv", "jsonl"):
        try:
            rows, stamped = _count_text_rows(path, str(entry["format"]))
        except (ValueError, UnicodeDecodeError):
            return problems
        if stamped is not None and stamped != export_id:
            problems.append(_p(name, "文件属于另一次导出（导出编号不符）", "file belongs to another export (export id differs)"))
        elif rows != entry["rows"]:
            problems.append(_p(name, f"行数为 {rows}，清单记载 {entry['rows']}（有行被删除或添加）",
                               f"{rows} rows where the manifest says {entry['rows']} (rows removed or added)"))
    return problems


def verify_export(folder: Path | str, trusted_keys: Iterable[bytes] = ()) -> dict[str, Any]:
    """Check an export folder against its manifest; returns the manifest when everything holds.

    ``trusted_keys``: public keys the signer must be one of (a device's, the center's). Empty: the manifest's
    own key is used, which catches any edit but not a manifest re-signed by someone else.

    Raises:
        VerifyFailed: with every problem found, each naming its file.
    """
    folder = Path(folder)
    mpath = folder / MANIFEST
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(manifest["signer"]["public_key"]))
        key.verify(bytes.fromhex(manifest["signature"]), signed_bytes(manifest))
    except FileNotFoundError:
        raise VerifyFailed([_p(MANIFEST, "清单文件缺失", "manifest missing")]) from None
    except (InvalidSignature, ValueError, KeyError, TypeError):
        raise VerifyFailed([_p(MANIFEST, "清单签名无效（清单被改动或伪造）", "manifest signature invalid (altered or forged)")]) from None
    trusted = [bytes(k) for k in trusted_keys]
    if trusted and bytes.fromhex(manifest["signer"]["public_key"]) not in trusted:
        raise VerifyFailed([_p(MANIFEST, "清单不是由可信的设备或中心签名", "manifest not signed by a trusted device or center")])
    problems: list[tuple[str, str, str]] = []
    listed = {str(e["name"]) for e in manifest["files"]}
    for entry in manifest["files"]:
        problems += _check_file(folder, entry, str(manifest["export_id"]))
    for extra in sorted(p.name for p in folder.iterdir() if p.name != MANIFEST and p.name not in listed):
        problems.append(_p(extra, "清单未列出此文件", "file not listed in the manifest"))
    if problems:
        raise VerifyFailed(problems)
    return dict(manifest)
