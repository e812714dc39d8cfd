"""The message catalogues: both languages complete, every key the code uses present, placeholders alike."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from outreach.domain.decision import DeadlineKind
from outreach.domain.enums import CardStatus, VisitOutcome
from outreach.domain.operation import KINDS
from outreach.i18n import CATALOGUES, LANGUAGES
from outreach.services.forms import EVENT_ORDER, SPECS
from outreach.services.people import SENSITIVE

ROOT = Path(__file__).resolve().parents[2] / "outreach"
SOURCES = [*sorted((ROOT / "ui").rglob("*.py")), *sorted((ROOT / "services").rglob("*.py"))]
#: t("key"), binding descriptions "bind.x"/"tip.x", service error keys.
LITERAL = re.compile(r"""\bt\(\s*["']([a-z_][\w.-]*)["']""")
QUOTED = re.compile(r"""["']((?:bind|tip|resolve|form\.err|form\.note|sync|demo|unlock|error)\.[\w.]+)["']""")


def _used_keys() -> set[str]:
    keys: set[str] = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        keys |= {k for k in LITERAL.findall(text) if not k.endswith(".")}
        keys |= {k for k in QUOTED.findall(text) if not k.endswith(".")}
    return keys


def _dynamic_keys() -> set[str]:
    keys = {f"status.{s.value}" for s in CardStatus} | {f"kind.{k}" for k in KINDS}
    keys |= {f"outcome.{o.value}" for o in VisitOutcome} | {f"deadline.{k}" for k in DeadlineKind.__args__}
    keys |= {f"form.title.{k}" for k in EVENT_ORDER} | {f"issue.{s}" for s in ("rejected", "conflict")}
    keys |= {f"strength.{n}" for n in range(5)} | {f"sync.stage.{s}" for s in ("push", "pull")}
    keys |= {f"form.field.{f}" for f in SENSITIVE}
    keys |= {f"theme.{n}" for n in ("textual-dark", "textual-light", "high-contrast")}
    for spec in SPECS.values():
        keys |= {f.label_key for f in spec.fields} | set(spec.notes)
        for f in spec.fields:
            keys |= {f"choice.{f.choice_group}.{v}" for v in f.choices if v}
    keys |= {f"form.field.{k}" for k in ("gender", "birth_date", "ethnicity", "nationality", "doc_type",
                                          "occupation", "address", "area_code", "hardship", "agent",
                                          "deceased_on", "outcome", "present", "notes")}
    return keys


def test_both_languages_have_the_same_keys():
    zh, en = set(CATALOGUES["zh_CN"]), set(CATALOGUES["en"])
    assert zh - en == set(), f"missing in en: {sorted(zh - en)}"
    assert en - zh == set(), f"missing in zh_CN: {sorted(en - zh)}"
    assert LANGUAGES[0] == "zh_CN"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_used_in_the_code_exists(lang):
    missing = sorted((_used_keys() | _dynamic_keys()) - set(CATALOGUES[lang]))
    assert missing == [], f"{lang} lacks {missing}"


def test_placeholders_agree():
    fields = string.Formatter()
    for key, zh in CATALOGUES["zh_CN"].items():
        en = CATALOGUES["en"][key]
        names = lambda s: {f for _, f, _, _ in fields.parse(s) if f}  # noqa: E731
        assert names(zh) == names(en), key


def test_no_empty_texts_and_chinese_is_chinese():
    for lang, catalogue in CATALOGUES.items():
        assert all(v.strip() for v in catalogue.values()), lang
    assert re.search(r"[\u4e00-\u9fff]", CATALOGUES["zh_CN"]["home.pending"])
