"""The center's private keys in a key file (mode 600) instead of its database, on both stores."""

from __future__ import annotations

import os
import stat

import pytest

from outreach.cli.main import main
from sync.center import keyfile
from sync.client.client import sync_once
from tests.sync.conftest import make_store


def _db_has_keys(store) -> bool:
    return store.database_keys() is not None


def test_a_running_center_moves_its_keys_to_the_file_and_its_laptops_keep_trusting_it(
        center, make_vault, people, tmp_path, request):
    v = make_vault("alice")
    center.enrol(v)  # the laptop now trusts the keys the database held
    people.register(v, people.person())
    before = center.store.center_keys()
    path = tmp_path / "keys" / "center.keys"
    center.store.use_key_file(path)
    assert center.store.center_keys() == before
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not _db_has_keys(center.store)  # a database dump no longer holds them
    # another center process over the same database, started with the same file
    other = make_store(request.node.callspec.params["store"], tmp_path, request)
    try:
        other.use_key_file(path)
        assert other.center_keys() == before
    finally:
        other.close()
    s = sync_once(v, center.url, transport=center.transport)
    assert (s.applied, s.errors) == (1, [])


def test_a_new_center_with_a_key_file_never_writes_keys_to_its_database(store, tmp_path):
    path = tmp_path / "center.keys"
    store.use_key_file(path)
    keys = store.center_keys()
    assert keyfile.read(path) == keys
    assert not _db_has_keys(store)


def test_a_key_file_others_can_read_or_one_that_disagrees_with_the_database_is_refused(store, tmp_path):
    in_db = store.center_keys()  # the database holds keys (a center enrolled laptops with them)
    wrong = tmp_path / "wrong.keys"
    assert keyfile.create(wrong, keyfile.fresh_keys())
    store.use_key_file(wrong)
    with pytest.raises(keyfile.KeyFileError) as refused:
        store.center_keys()
    assert "trust" in refused.value.message_en
    assert wrong.read_text() not in str(refused.value)
    assert store.database_keys() == in_db  # nothing changed
    loose = tmp_path / "loose.keys"
    assert keyfile.create(loose, in_db)
    os.chmod(loose, 0o644)
    store.use_key_file(loose)
    with pytest.raises(keyfile.KeyFileError, match="600"):
        store.center_keys()


def test_the_cli_says_why_a_key_file_is_refused_without_showing_a_key(tmp_path, capsys):
    path = tmp_path / "center.keys"
    assert keyfile.create(path, keyfile.fresh_keys())
    os.chmod(path, 0o640)
    code = main(["center", "status", "--db", str(tmp_path / "c.db"), "--key-file", str(path)])
    err = capsys.readouterr().err
    assert code == 1
    assert "600" in err
    assert "Traceback" not in err
    os.chmod(path, 0o600)
    assert keyfile.read(path).sign_private.hex() not in err
