"""``export verify`` catches a changed cell, a removed row, a swapped or missing file and a forged manifest,
and names the file; through the library and through the real command line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from outreach.exports import ExportRequest, VerifyFailed, run_export, verify_export
from outreach.exports import manifest as mf
from outreach.exports.vault_source import VaultSource
from tests.exports.conftest import TODAY


@pytest.fixture
def exported(sup_vault, out_dir):
    vault, _ = sup_vault
    src = VaultSource(vault, today=TODAY)
    req = src.authorise(ExportRequest(datasets=("visits", "operations"), formats=("csv", "xlsx", "jsonl"),
                                      today=TODAY))
    return run_export(src, req, out_dir), vault.public_key


def names(res, fmt, dataset=None):
    return next(e["name"] for e in res.files if e["format"] == fmt and (dataset is None or e["dataset"] == dataset))


def problems(folder, keys=()):
    with pytest.raises(VerifyFailed) as err:
        verify_export(folder, keys)
    return err.value.problems


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "outreach.cli.main", "export", "verify", *args],
                          capture_output=True, text=True, check=False)


def test_an_untouched_export_verifies_with_the_device_key(exported):
    res, key = exported
    assert verify_export(res.folder, [key])["export_id"] == res.export_id
    done = cli(str(res.folder), "--key", key.hex())
    assert done.returncode == 0
    assert "校验通过" in done.stdout


def test_a_changed_cell_is_named(exported):
    res, key = exported
    path = res.folder / names(res, "xlsx")
    book = openpyxl.load_workbook(path)
    book["走访记录"]["I2"] = "已办理 (edited)"
    book.save(path)
    found = problems(res.folder, [key])
    assert [p[0] for p in found] == [path.name]
    assert "SHA-256" in found[0][2]
    done = cli(str(res.folder))
    assert done.returncode == 1
    assert path.name in done.stderr


def test_a_removed_row_is_named_and_counted(exported):
    res, key = exported
    path = res.folder / names(res, "csv", "visits")
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join(lines[:1] + lines[2:]))
    found = problems(res.folder, [key])
    assert {p[0] for p in found} == {path.name}
    assert any("rows removed" in p[2] for p in found)


def test_a_removed_jsonl_row_is_counted(exported):
    res, key = exported
    path = res.folder / names(res, "jsonl", "operations")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:1] + lines[2:]), encoding="utf-8")
    assert any("2 rows" not in p[2] and "rows removed" in p[2] for p in problems(res.folder, [key]))


def test_swapped_files_are_both_named(exported):
    res, key = exported
    a, b = res.folder / names(res, "csv", "visits"), res.folder / names(res, "csv", "operations")
    tmp = a.with_suffix(".tmp")
    a.rename(tmp)
    b.rename(a)
    tmp.rename(b)
    assert {p[0] for p in problems(res.folder, [key])} == {a.name, b.name}


def test_a_file_from_another_export_is_named(exported, sup_vault, out_dir):
    res, key = exported
    vault, _ = sup_vault
    src = VaultSource(vault, today=TODAY)
    other = run_export(src, src.authorise(ExportRequest(datasets=("visits",), formats=("csv",), today=TODAY)),
                       out_dir)
    target = res.folder / names(res, "csv", "visits")
    shutil.copy(other.folder / other.files[0]["name"], target)
    found = problems(res.folder, [key])
    assert any(p[0] == target.name and "another export" in p[2] for p in found)


def test_a_missing_or_extra_file_is_named(exported):
    res, key = exported
    gone = res.folder / names(res, "jsonl", "visits")
    gone.unlink()
    (res.folder / "extra.csv").write_text("x")
    found = {(p[0], p[2]) for p in problems(res.folder, [key])}
    assert (gone.name, "file missing") in found
    assert ("extra.csv", "file not listed in the manifest") in found


def test_an_edited_manifest_fails_its_signature(exported):
    res, key = exported
    path = res.folder / mf.MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["rows"]["visits"] = 2
    path.write_text(json.dumps(manifest), encoding="utf-8")
    assert problems(res.folder)[0][0] == mf.MANIFEST
    assert cli(str(res.folder)).returncode == 1


def test_a_manifest_re_signed_by_another_key_is_refused_against_the_trusted_key(exported):
    res, key = exported
    path = res.folder / names(res, "csv", "visits")
    path.write_bytes(path.read_bytes().replace(b"sup-1", b"sup-9"))
    manifest = json.loads((res.folder / mf.MANIFEST).read_text(encoding="utf-8"))
    forger = Ed25519PrivateKey.generate()
    manifest["signer"]["public_key"] = forger.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    entry = next(e for e in manifest["files"] if e["name"] == path.name)
    entry["sha256"], entry["bytes"] = mf.file_digest(path)
    mf.write(res.folder, mf.sign(manifest, forger.sign))
    verify_export(res.folder)  # consistent in itself ...
    found = problems(res.folder, [key])  # ... but not signed by the supervisor's laptop
    assert found[0][0] == mf.MANIFEST
    assert "trusted" in found[0][2]
    done = cli(str(res.folder), "--key", key.hex())
    assert done.returncode == 1
    assert "manifest.json" in done.stderr


def test_cli_reports_a_missing_folder(tmp_path: Path):
    done = cli(str(tmp_path / "nothing"))
    assert done.returncode == 1
    assert "manifest missing" in done.stderr
