"""The new key data of a reissue (换发, Art. 23), checked before the reissue is accepted. Nothing here raises.

- name changed: the new name is required and must be a valid name (Art. 5);
- document type changed: the new document is required, of another type, with a valid number (Art. 10);
- social security number changed: the new number is required; for the holder of a resident ID, household
  register or residence permit it is their citizen number (Art. 5), so it must be a valid one.
"""

from __future__ import annotations

from datetime import date

from outreach.domain.events import CardReissue
from outreach.domain.forms import check_ss_number
from outreach.domain.identity import check_identity
from outreach.domain.names import check_name
from outreach.domain.refusal import Refusal, refusal

#: The form inputs the new data is entered in (``Refusal.field``).
NAME_FIELD, DOCUMENT_FIELD, SS_FIELD = "new_name", "new_doc_number", "new_ss_number"


def _missing(code: str, zh: str, en: str, field: str) -> Refusal:
    return refusal(code, "23", zh, en, field=field)


def _tag(r: Refusal, zh: str, en: str, field: str) -> Refusal:
    return r.model_copy(
        update={
            "message_zh": zh + r.message_zh,
            "message_en": en + r.message_en,
            "article": r.article or "23",
            "field": field,
        }
    )


def _ss_number(ev: CardReissue, number: str, today: date) -> tuple[list[Refusal], list[Refusal]]:
    if ev.new_document is not None:
        ss = check_ss_number(number, ev.new_document, today=today)
        problems, warnings = ss.problems, ss.warnings
    else:  # only an 18-character number has a checkable shape; others follow national rules (Art. 5)
        result = check_identity(number, today=today)
        problems = result.problems if len(result.normalized) == 18 else []
        warnings = result.warnings
    zh, en = "新社会保障号码：", "new social security number: "
    return [_tag(r, zh, en, SS_FIELD) for r in problems], [_tag(r, zh, en, SS_FIELD) for r in warnings]


def reissue_data_problems(ev: CardReissue, today: date) -> tuple[list[Refusal], list[Refusal]]:
    """(problems, warnings) of the new key data a reissue carries."""
    problems: list[Refusal] = []
    warnings: list[Refusal] = []
    if "name" in ev.changed:
        if not ev.new_name or not ev.new_name.strip():
            problems.append(
                _missing("new_name_required", "姓名变更换发须填写新姓名", "a name change needs the new name", NAME_FIELD)
            )
        else:
            problems += [
                _tag(r, "新姓名：", "new name: ", NAME_FIELD) for r in check_name(ev.new_name, citizen=ev.citizen)
            ]
    if "doc_type" in ev.changed and ev.new_document is None:
        problems.append(
            _missing(
                "new_document_required",
                "证件类型变更换发须登记新证件",
                "a document type change needs the new document",
                DOCUMENT_FIELD,
            )
        )
    if ev.new_document is not None:
        doc = check_identity(ev.new_document.number, ev.new_document.doc_type, today=today)
        problems += [_tag(r, "新证件号码：", "new document number: ", DOCUMENT_FIELD) for r in doc.problems]
        warnings += [_tag(r, "新证件号码：", "new document number: ", DOCUMENT_FIELD) for r in doc.warnings]
    if "ss_number" in ev.changed:
        if not ev.new_ss_number and ev.new_document is None:
            problems.append(
                _missing("new_ss_number_required", "社会保障号码变更换发须填写新的社会保障号码",
                         "a social security number change needs the new number", SS_FIELD)
            )  # fmt: skip
        elif ev.new_ss_number:
            p, w = _ss_number(ev, ev.new_ss_number, today)
            problems += p
            warnings += w
    return problems, warnings
