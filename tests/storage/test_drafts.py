"""Drafts of half-filled forms: kept inside the encrypted file, replaced, listed newest first, dropped."""

from __future__ import annotations

from pathlib import Path

from storage import Vault
from tests.support.vaults import PASSPHRASE

SECRET = "469021201910012833"


def test_a_draft_survives_closing_and_reopening(vault: Vault, vault_path: Path) -> None:
    vault.put_draft("card.apply:new-1", "card.apply", None, {"name": "符秀英", "doc_number": SECRET})
    vault.put_draft("card.apply:new-1", "card.apply", None, {"name": "符秀英", "doc_number": SECRET, "mobile": "1"})
    vault.put_draft("person.update:p1", "person.update", "p1", {"mobile": "13800001111"})
    vault.close()
    with Vault.open(vault_path, PASSPHRASE) as again:
        drafts = again.drafts()
        assert [d["draft_key"] for d in drafts] == ["person.update:p1", "card.apply:new-1"]
        assert drafts[1]["values"] == {"name": "符秀英", "doc_number": SECRET, "mobile": "1"}
        assert drafts[0]["person_id"] == "p1"
        again.drop_draft("card.apply:new-1")
        again.drop_draft("unknown")
        assert [d["draft_key"] for d in again.drafts()] == ["person.update:p1"]
        assert "0004_drafts" in again.migrations()


def test_a_draft_is_encrypted_like_everything_else(vault: Vault, vault_path: Path) -> None:
    vault.put_draft("card.apply:new-1", "card.apply", None, {"name": "符秀英", "doc_number": SECRET})
    vault.close()
    raw = b"".join(p.read_bytes() for p in vault_path.parent.iterdir() if p.is_file())
    assert SECRET.encode() not in raw
    assert "符秀英".encode() not in raw
