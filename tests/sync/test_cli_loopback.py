"""The CLI end to end over real HTTP on loopback (EmbeddedCenter = uvicorn in a thread, SQLite file)."""

from __future__ import annotations

import json
import re

import pytest

from outreach.cli.main import main
from storage import Vault
from sync.center.embedded import EmbeddedCenter
from tests.support.vaults import PASSPHRASE
from tests.sync.conftest import People

CSV_HEADER = "person_id,name,gender,ethnicity,birth_date,doc_type,doc_number,area_code,mobile,hardship\n"


def _csv(people):
    rows = [CSV_HEADER]
    for p in people:
        rows.append(f"{p.person_id},{p.name},{p.gender.value},{p.ethnicity},{p.birth_date},{p.document.doc_type.value},"
                    f"{p.document.number},{p.area_code},{p.mobile or ''},{p.hardship.value}\n")
    return "".join(rows)


@pytest.fixture
def env(tmp_path):
    pf = tmp_path / "pass.txt"
    pf.write_text(PASSPHRASE + "\n")
    db = tmp_path / "center" / "center.db"
    with EmbeddedCenter(db) as c:
        yield c, db, pf, tmp_path


def test_cli_enrol_sync_status_and_usb(env, capsys):
    center, db, pf, tmp = env
    vault_path = tmp / "laptop.db"
    assert main(["vault", "init", "--worker", "alice", "--vault", str(vault_path), "--passphrase-file", str(pf)]) == 0
    capsys.readouterr()  # the device id printed by init can hold digit-only groups that look like a code
    assert main(["center", "enrol", "--db", str(db), "--worker", "alice", "--role", "worker"]) == 0
    code = re.search(r"enrolment code .*: ([0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4})$", capsys.readouterr().out,
                     re.M).group(1)
    vopts = ["--vault", str(vault_path), "--passphrase-file", str(pf)]
    assert main(["enrol", "--center", center.url, "--code", code, *vopts]) == 0
    assert main(["enrol", "--center", center.url, "--code", "AAAA-BBBB-CCCC", *vopts]) == 1  # bad code refused

    gen = People(seed=7)
    ps = [gen.person() for _ in range(3)]
    (tmp / "people.csv").write_text(_csv(ps), encoding="utf-8")
    bad = _csv(ps[:1]).replace(ps[0].document.number, "46X1Y2Z3")
    (tmp / "bad.csv").write_text(bad, encoding="utf-8")
    capsys.readouterr()
    assert main(["center", "load-people", "--db", str(db), str(tmp / "bad.csv")]) == 1
    err = capsys.readouterr().err
    assert "line 2" in err
    assert "46X1Y2Z3" not in err  # never echo personal data
    assert main(["center", "load-people", "--db", str(db), str(tmp / "people.csv")]) == 0
    assert main(["center", "assign", "--db", str(db), "--worker", "alice", "--person", ps[0].person_id,
                 ps[1].person_id]) == 0

    with Vault.open(vault_path, PASSPHRASE) as v:
        gen.register(v, gen.person())
    capsys.readouterr()
    assert main(["sync", "--json", *vopts]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["applied"] == 1
    # 2 assigned people and their 2 visit plans; not the person alice registered: she has it (no echo)
    assert summary["pulled"] == 4

    # offline: export, import at the center (twice), import the reply
    with Vault.open(vault_path, PASSPHRASE) as v:
        gen.register(v, gen.person())
        gen.register(v, gen.person())
    f, reply = tmp / "out.osync", tmp / "reply.osync"
    assert main(["sync", "export", "--out", str(f), *vopts]) == 0
    assert main(["center", "import", "--db", str(db), str(f), "--reply", str(reply)]) == 0
    assert main(["center", "import", "--db", str(db), str(f), "--reply", str(tmp / "reply2")]) == 0
    assert main(["sync", "import-reply", str(reply), *vopts]) == 0
    with Vault.open(vault_path, PASSPHRASE) as v:
        assert v.pending_operations() == []
    tampered = bytearray(f.read_bytes())
    tampered[len(tampered) // 2] ^= 1
    f.write_bytes(bytes(tampered))
    assert main(["center", "import", "--db", str(db), str(f), "--reply", str(tmp / "reply3")]) == 1

    capsys.readouterr()
    assert main(["center", "status", "--db", str(db), "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["devices"][0]["operations"] == 3
    assert st["checkpoint"]["tree_size"] >= 6
    assert main(["center", "status", "--db", str(db)]) == 0
    dev = st["devices"][0]["device_id"]
    assert main(["center", "revoke", "--db", str(db), dev]) == 0
    with Vault.open(vault_path, PASSPHRASE) as v:
        gen.register(v, gen.person())
    assert main(["sync", *vopts]) == 1
