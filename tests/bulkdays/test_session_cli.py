"""``outreach session ...`` run as a user runs it (a subprocess over a real vault file): plan, import with a
preview that writes nothing until ``--yes``, prepare, record by last digits, progress, close, report; one-line
bilingual errors and their exit codes."""

from __future__ import annotations

import json

import pytest

from tests.bulkdays.conftest import (
    WANG,
    card_dump,
    credit_code,
    seed_rows,
    set_cards,
    staff,
    write_csv,
    write_xlsx,
)
from tests.support.cli import run
from tests.support.context import PASSPHRASE, make_context
from tests.support.vaults import use_cheap_kdf


@pytest.fixture
def cli(tmp_path, monkeypatch):
    use_cheap_kdf(monkeypatch)  # the launcher derives keys with the cheap profile too
    context = make_context(tmp_path / "v", template=False)
    context.session.unlock(PASSPHRASE)
    set_cards(context.session.vault, WANG, [card_dump(WANG, "active", "H46010001", bank_activated=False)], version=2)
    context.close()
    (tmp_path / "pw").write_text(PASSPHRASE + "\n", encoding="utf-8")
    common = ["--vault", str(tmp_path / "v" / "vault.db"), "--passphrase-file", str(tmp_path / "pw")]

    def outreach(*args: str):
        action, *rest = args
        return run("session", action, *rest, *common, cwd=tmp_path)

    return outreach


def test_a_day_from_plan_to_report(cli, tmp_path):
    r = cli("plan", "--employer", "海南椰风食品有限公司", "--credit-code", credit_code(), "--venue", "三楼会议室",
            "--day", "2026-12-03", "--worker", "w-test", "--bank-branch", "海南农信城西支行")
    assert r.returncode == 0, r.stderr
    sid = r.stdout.strip()
    short = sid[:8]
    roster = write_xlsx(tmp_path / "名单.xlsx", seed_rows() + staff(3))
    r = cli("import", short, str(roster))
    assert r.returncode == 0, r.stderr
    assert "新增3人，匹配已登记3人，退回0行" in r.stdout
    assert "--yes" in r.stdout
    r = cli("prepare", short, "--json")
    assert json.loads(r.stdout) == []  # the preview wrote nothing
    r = cli("import", short, str(roster), "--yes", "--json")
    assert json.loads(r.stdout)["counts"] == {"new": 3, "matched": 3, "refused": 0}
    needs = {x["need"] for x in json.loads(cli("prepare", short, "--json").stdout)}
    assert needs == {"activation", "hand_over", "application"}
    wang_digits = seed_rows()[0][3][-6:]
    r = cli("record", short, "--digits", wang_digits, "--action", "bank_done")
    assert r.returncode == 0, r.stderr
    assert "已记录" in r.stdout
    r = cli("record", short, "--digits", wang_digits, "--action", "bank_done")
    assert r.returncode == 0
    assert "已于" in r.stderr
    r = cli("walk-in", short, "--name", "临时工", "--number", staff(1, start=40)[0][3])
    assert r.returncode == 0, r.stderr
    r = cli("record", short, "--person", r.stdout.strip(), "--action", "bank_declined", "--reason", "未带原件")
    assert r.returncode == 0, r.stderr
    progress = json.loads(cli("progress", short, "--json").stdout)
    assert progress["counts"] == {"activated": 1, "handed_over": 0, "applied": 0, "absent": 5, "exception": 1}
    r = cli("close", short)
    assert r.returncode == 0, r.stderr
    assert "名单7人" in r.stdout
    r = cli("record", short, "--digits", wang_digits, "--action", "hand_over")
    assert r.returncode == 1
    assert "已结束" in r.stderr
    r = cli("report", short, "--pdf", str(tmp_path / "r.pdf"), "--xlsx", str(tmp_path / "r.xlsx"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "r.pdf").stat().st_size > 1000
    assert (tmp_path / "r.xlsx").stat().st_size > 1000
    assert sid in cli("list").stdout


def test_errors_are_one_bilingual_line_with_an_exit_code(cli, tmp_path):
    r = cli("plan", "--employer", "某公司", "--credit-code", "123", "--venue", "v", "--day", "2026-12-03",
            "--worker", "w", "--bank-branch", "b")
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0
    assert "18位 / a unified social credit code has 18 characters" in r.stderr
    sid = cli("plan", "--employer", "某公司", "--credit-code", credit_code(), "--venue", "v", "--day", "2026-12-03",
              "--worker", "w", "--bank-branch", "b").stdout.strip()
    odd = write_csv(tmp_path / "odd.csv", [[r[1], r[3]] for r in staff(2)], "gbk", headers=["姓名", "号码"])
    r = cli("import", sid, str(odd))
    assert r.returncode == 3
    assert "号码" in r.stderr
    assert "--map" in r.stderr
    r = cli("import", sid, str(odd), "--map", "号码=doc_number")
    assert r.returncode == 0, r.stderr
    assert "新增2人" in r.stdout
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    r = cli("import", sid, str(broken))
    assert r.returncode == 1
    assert "损坏" in r.stderr
    r = cli("progress", "nonexistent")
    assert r.returncode == 1
    assert "找不到该场次" in r.stderr


def test_hosted_shows_the_sessions_the_center_published_masked_with_progress_and_follow_ups(tmp_path, monkeypatch):
    """An employer host's laptop: the session records a pull kept in the vault (storage apply_pulled, the path
    tests/sync/test_sessions.py drives over HTTP) are shown read-only, masked as the center sent them."""
    use_cheap_kdf(monkeypatch)
    context = make_context(tmp_path / "v", template=False)
    context.session.unlock(PASSPHRASE)
    sid = "s-hosted-1"
    plan = {"session_id": sid, "employer": {"name": "海南椰风食品有限公司", "credit_code": credit_code()},
            "venue": "公司三楼会议室", "day": "2026-12-04"}
    lines = [{"person_id": "p1", "name": "王*", "doc_number": "4601**********1234", "mobile": "139****5678",
              "department": "财务部"},
             {"person_id": "p2", "name": "符*", "doc_number": "4601**********4321", "mobile": None,
              "department": "车间"}]
    close = {"session_id": sid, "closed_on": "2026-12-04", "manifest_agrees": True,
             "lines": [{**lines[0], "outcome": "activated", "reason": ""},
                       {**lines[1], "outcome": "absent", "reason": "出差"}]}
    context.session.vault.apply_pulled([
        {"type": "session", "id": sid, "version": 1, "data": plan},
        {"type": "session_roster", "id": sid, "version": 1, "data": {"lines": lines}},
        {"type": "session_progress", "id": sid, "version": 2, "data": {"roster": 2, "done": 1, "remaining": 1,
                                                                        "exceptions": 0}},
        {"type": "session_progress", "id": sid, "version": 1, "data": {"roster": 2, "done": 0, "remaining": 2,
                                                                        "exceptions": 0}},  # older: ignored
        {"type": "session_close", "id": sid, "version": 1, "data": close},
    ], "cp-1")
    context.close()
    (tmp_path / "pw").write_text(PASSPHRASE + "\n", encoding="utf-8")
    common = ["--vault", str(tmp_path / "v" / "vault.db"), "--passphrase-file", str(tmp_path / "pw")]
    out = run("session", "hosted", *common, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert sid in out.stdout
    assert "已办 done 1 · 未办 remaining 1" in out.stdout
    assert "4601**********1234" in out.stdout
    assert "一致 agrees" in out.stdout
    follow = [ln for ln in out.stdout.splitlines() if "跟进 follow-up" in ln]
    assert len(follow) == 1
    assert "4601**********4321" in follow[0]
    assert "出差" in follow[0]
    data = json.loads(run("session", "hosted", "--json", *common, cwd=tmp_path).stdout)
    assert [(h["session_id"], h["progress"]["done"], len(h["roster"])) for h in data] == [(sid, 1, 2)]
