"""Checks of the application form (Art. 5, 10, 45) and of a person record. Nothing here raises.

Ages are counted as in :mod:`outreach.domain.counting` (Civil Code Art. 1259). Photo: required from age 7
(Art. 5 "未满七周岁" may have none). Guardian or agent: required under 16 or without full civil capacity (Art. 10
(二) "未满十六周岁", Art. 45); the agent must be 16 or older (Civil Code Art. 18: a 16-17 year old has full
capacity only when self-supporting: warning; "十八周岁以上" is an adult). The identity number must agree with the
date of birth and gender typed in the form. The household register is the document of citizens aged 16 and under
(Art. 10 (一) "16周岁以下": includes a 16-year-old). Ethnicity is recorded for Chinese citizens only (GB 3304
codes); the country or region is an ISO 3166-1 code (:mod:`outreach.domain.countries`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from outreach.domain.counting import ELDERLY_AGE, age_on, aged_at_least, aged_at_most, aged_under
from outreach.domain.countries import CHINESE_REGIONS, COUNTRIES
from outreach.domain.enums import ETHNICITY_CODES, DocType, Gender
from outreach.domain.events import KeyField
from outreach.domain.identity import check_identity
from outreach.domain.models import Agent, ApplicationForm, IdentityDocument, Person
from outreach.domain.names import check_name
from outreach.domain.numbers import DEFAULT_MOBILE_SECOND_DIGITS, check_mobile
from outreach.domain.refusal import Refusal, about, refusal

PHOTO_AGE = 7
GUARDIAN_AGE = 16
HOUSEHOLD_REGISTER_AGE = 16
ADULT_AGE = 18
_CITIZEN_DOCS = (DocType.RESIDENT_ID, DocType.HOUSEHOLD_REGISTER, DocType.HKMO_TW_RESIDENCE_PERMIT)


class FormCheck(BaseModel):
    """Problems (blocking) and warnings (to confirm) found in a form."""

    model_config = ConfigDict(frozen=True)

    valid: bool
    problems: list[Refusal] = Field(default_factory=list)
    warnings: list[Refusal] = Field(default_factory=list)


__all__ = ["FormCheck", "age_on", "agent_ground_problem", "agent_problem", "check_form", "check_person", "key_data_changes"]


def _document(
    doc: IdentityDocument, today: date, who_zh: str, who_en: str, at: str = "document"
) -> tuple[list[Refusal], list[Refusal], date | None, Gender | None]:
    """Problems of one document; ``at``: where it sits in the form (the fields the refusals name)."""
    result = check_identity(doc.number, doc.doc_type, today=today)

    def tag(r: Refusal) -> Refusal:
        return r.model_copy(
            update={
                "message_zh": f"{who_zh}证件号码：{r.message_zh}",
                "message_en": f"{who_en} document number: {r.message_en}",
                "article": r.article or "10",
                "field": f"{at}.number",
            }
        )

    problems = [tag(r) for r in result.problems]
    warnings = [tag(r) for r in result.warnings]
    if doc.valid_until is not None and doc.valid_until < today:
        problems.append(
            refusal(
                "document_expired",
                "10",
                f"{who_zh}证件已于 {doc.valid_until.isoformat()} 过期",
                f"{who_en} document expired on {doc.valid_until.isoformat()}",
                field=f"{at}.valid_until",
            )
        )
    if doc.valid_from is not None and doc.valid_from > today:
        problems.append(
            refusal(
                "document_not_yet_valid", "10", f"{who_zh}证件尚未生效", f"{who_en} document is not valid yet",
                field=f"{at}.valid_from",
            )
        )
    if doc.valid_from and doc.valid_until and doc.valid_until < doc.valid_from:
        problems.append(
            refusal(
                "document_validity_order",
                "10",
                f"{who_zh}证件有效期限颠倒",
                f"{who_en} document validity ends before it starts",
                field=f"{at}.valid_until",
            )
        )
    return problems, warnings, result.birth_date, result.gender


def _agent(agent: Agent, today: date) -> tuple[list[Refusal], list[Refusal]]:
    problems, warnings, born, _ = _document(agent.document, today, "代理人", "agent's", at="agent.document")
    for r in about(check_name(agent.name, citizen=agent.document.doc_type in _CITIZEN_DOCS), "agent.name"):
        problems.append(_prefixed(r, "代理人姓名：", "agent's name: "))
    if born is not None and aged_under(born, today, GUARDIAN_AGE):
        problems.append(
            refusal(
                "agent_minor",
                "45",
                "代理人须具有完全民事行为能力（未满 16 周岁）",
                "the agent must have full civil capacity (under 16)",
                field="agent.document.number",
            )
        )
    elif born is not None and aged_under(born, today, ADULT_AGE):
        warnings.append(
            refusal(
                "agent_under_18",
                "45",
                "代理人未满 18 周岁，请确认其以自己的劳动收入为主要生活来源",
                "the agent is under 18: confirm they are self-supporting",
                field="agent.document.number",
            )
        )
    if agent.mobile:
        for r in about(check_mobile(agent.mobile).problems, "agent.mobile"):
            problems.append(_prefixed(r, "代理人手机号码：", "agent's mobile: "))
    return problems, warnings


def _prefixed(r: Refusal, zh: str, en: str) -> Refusal:
    return r.model_copy(update={"message_zh": zh + r.message_zh, "message_en": en + r.message_en})


def agent_problem(agent: Agent, today: date) -> Refusal | None:
    """The first problem with an agent's record (name, document, age), or None. Raises nothing."""
    problems, _ = _agent(agent, today)
    return problems[0] if problems else None


_GROUND_TEXT = {
    "minor": ("未满十六周岁", "under 16"),
    "incapacity": ("不具有完全民事行为能力", "without full civil capacity"),
    "elderly_poor_mobility": ("行动不便的老年人", "elderly with poor mobility"),
    "disabled_poor_mobility": ("行动不便的残疾人", "disabled with poor mobility"),
}


def agent_ground_problem(ground: str | None, holder_birth_date: date | None, today: date) -> Refusal | None:
    """Why a guardian or agent may not act for the holder without them (Art. 45), or None when they may: the
    holder is under 16 ("未满十六周岁"), without full civil capacity, or elderly (60 and over, "六十周岁以上") or
    disabled with poor mobility. Age grounds are checked against ``holder_birth_date``. Raises nothing."""
    if ground not in _GROUND_TEXT:
        return refusal(
            "agent_ground_required",
            "45",
            "代办须说明持卡人属于哪种情形：未满十六周岁、不具有完全民事行为能力、行动不便的老年人或残疾人",
            "an agent may act only for a holder under 16, without full civil capacity, or elderly or disabled "
            "with poor mobility: record which",
        )
    if ground in ("minor", "elderly_poor_mobility"):
        zh, en = _GROUND_TEXT[ground]
        if holder_birth_date is None:
            return refusal(
                "holder_birth_date_required", "45", f"须核对持卡人出生日期（{zh}）",
                f"the holder's date of birth is needed to check the ground ({en})",
            )  # fmt: skip
        fits = (
            aged_under(holder_birth_date, today, GUARDIAN_AGE)
            if ground == "minor"
            else aged_at_least(holder_birth_date, today, ELDERLY_AGE)
        )
        if not fits:
            age = age_on(holder_birth_date, today)
            return refusal(
                "agent_ground_not_met", "45", f"持卡人 {age} 周岁，不属于“{zh}”，不能由代理人代办",
                f"the holder is {age}: not {en}, so an agent cannot act for them",
            )  # fmt: skip
    return None


def check_form(
    form: ApplicationForm,
    *,
    today: date,
    mobile_second_digits: Iterable[str] = DEFAULT_MOBILE_SECOND_DIGITS,
) -> FormCheck:
    """Check an application form against Art. 5, 10 and 45."""
    problems: list[Refusal] = []
    warnings: list[Refusal] = []
    citizen = form.nationality == "CHN"
    problems += about(check_name(form.name, citizen=citizen), "name")
    problems += _nationality_and_ethnicity(form)
    future = form.birth_date > today
    if future:
        problems.append(
            refusal("birth_date_future", "10", "出生日期在将来", "the date of birth is in the future", field="birth_date")
        )
    doc_problems, doc_warnings, born, gender = _document(form.document, today, "", "the")
    problems += doc_problems
    warnings += doc_warnings
    if born is not None and born != form.birth_date:
        problems.append(
            refusal(
                "birth_date_mismatch",
                "10",
                f"证件号码中的出生日期 {born.isoformat()} 与填写的 {form.birth_date.isoformat()} 不一致",
                f"the number encodes birth date {born.isoformat()}, the form says {form.birth_date.isoformat()}",
                field="birth_date",
            )
        )
    if (
        gender is not None
        and form.gender is not Gender.UNSTATED
        and gender != form.gender
        and form.document.doc_type in _CITIZEN_DOCS
    ):
        problems.append(
            refusal(
                "gender_mismatch",
                "10",
                "证件号码中的性别与填写的性别不一致",
                "the gender encoded in the number differs from the form",
                field="gender",
            )
        )
    if form.document.doc_type in _CITIZEN_DOCS[:2] and not citizen:
        warnings.append(
            refusal(
                "nationality_doc",
                "10",
                "居民身份证或户口簿持有人的国籍应为中国",
                "holders of a resident ID or household register are Chinese citizens",
                field="nationality",
            )
        )
    born_on = form.birth_date
    if (
        not future
        and form.document.doc_type is DocType.HOUSEHOLD_REGISTER
        and not aged_at_most(born_on, today, HOUSEHOLD_REGISTER_AGE)
    ):
        problems.append(
            refusal(
                "household_register_over_16",
                "10",
                "居民户口簿仅适用于 16 周岁以下（含 16 周岁）中国公民，请提供居民身份证",
                "the household register is for citizens aged 16 and under: use the resident ID card",
                field="document.doc_type",
            )
        )
    if form.mobile:
        problems += about(check_mobile(form.mobile, second_digits=mobile_second_digits).problems, "mobile")
    if not future and not aged_under(born_on, today, PHOTO_AGE) and not form.photo_ref:
        problems.append(
            refusal("photo_required", "5", "年满七周岁须采集相片", "a photo is required from the age of 7", field="photo_ref")
        )
    minor = not future and aged_under(born_on, today, GUARDIAN_AGE)
    if (minor or form.lacks_full_capacity) and form.agent is None:
        problems.append(
            refusal(
                "guardian_required",
                "10",
                "未满十六周岁或不具有完全民事行为能力的，须登记监护人或代理人信息",
                "under 16 or without full civil capacity: a guardian or agent must be recorded",
                field="agent",
            )
        )
    if form.agent is not None:
        p, w = _agent(form.agent, today)
        problems += p
        warnings += w
    return FormCheck(valid=not problems, problems=problems, warnings=warnings)


def _nationality_and_ethnicity(form: ApplicationForm) -> list[Refusal]:
    """Art. 10 (二) 国家/地区 from ISO 3166; 民族 for Chinese citizens only (required for ``CHN``)."""
    problems: list[Refusal] = []
    if form.nationality not in COUNTRIES:
        problems.append(
            refusal(
                "nationality_unknown",
                "10",
                f"国家/地区代码 {form.nationality} 不在 ISO 3166 列表中",
                f"country/region code {form.nationality} is not an ISO 3166 code",
            )
        )
    if form.ethnicity is None:
        if form.nationality == "CHN":
            problems.append(
                refusal("ethnicity_required", "10", "中国公民须填写民族", "a Chinese citizen's ethnicity is required")
            )
    elif form.nationality not in CHINESE_REGIONS:
        problems.append(
            refusal(
                "ethnicity_for_citizens",
                "10",
                "民族只适用于中国公民，外国人不填写民族",
                "ethnicity applies to Chinese citizens only: leave it empty for a foreigner",
            )
        )
    elif form.ethnicity not in ETHNICITY_CODES:
        problems.append(
            refusal(
                "ethnicity_code",
                "10",
                f"民族代码 {form.ethnicity} 无效",
                f"ethnicity code {form.ethnicity} is not valid",
            )
        )
    return problems


def form_from_person(person: Person, *, lacks_full_capacity: bool = False) -> ApplicationForm:
    """The application form pre-filled from a person record."""
    return ApplicationForm(
        name=person.name, gender=person.gender, ethnicity=person.ethnicity, birth_date=person.birth_date,
        nationality=person.nationality, document=person.document, mobile=person.mobile, occupation=person.occupation,
        address=person.address, photo_ref=person.photo_ref, agent=person.agent, lacks_full_capacity=lacks_full_capacity,
    )  # fmt: skip


def check_person(person: Person, *, today: date) -> FormCheck:
    """The form checks applied to a person record (e.g. before ``person.register``), plus its social security
    number (Art. 5) when recorded."""
    result = check_form(form_from_person(person), today=today)
    if person.ss_number is None:
        return result
    ss = check_ss_number(person.ss_number, person.document, today=today)
    problems = result.problems + ss.problems
    return FormCheck(valid=not problems, problems=problems, warnings=result.warnings + ss.warnings)


def key_data_changes(before: Person, after: Person) -> list[KeyField]:
    """Key data changed between two versions of a person (Art. 23): name, document type, social security number.

    Non-empty: the card must be reissued (``card.reissue``) besides the ``person.update``; empty: a plain
    ``person.update`` is enough (Art. 23, second paragraph). Raises nothing.
    """
    changed: list[KeyField] = []
    if before.name != after.name:
        changed.append("name")
    if before.document.doc_type != after.document.doc_type:
        changed.append("doc_type")
    if (before.ss_number or before.document.number) != (after.ss_number or after.document.number):
        changed.append("ss_number")
    return changed


def check_ss_number(ss_number: str, document: IdentityDocument, *, today: date) -> FormCheck:
    """The social security number of Art. 5: holders of a resident ID, household register or residence permit
    use their 18-digit citizen number; others get a number under national rules that is not published, so it is
    only checked when it has a known 18-character shape, and otherwise accepted with a warning. Raises nothing."""
    result = check_identity(ss_number, today=today)
    if document.doc_type in _CITIZEN_DOCS:
        own = check_identity(document.number, document.doc_type, today=today)
        if result.normalized != own.normalized:
            why = refusal(
                "ss_number_mismatch",
                "5",
                "持居民身份证、户口簿或港澳台居民居住证的，社会保障号码应为其 18 位公民身份号码",
                "for holders of a resident ID, household register or residence permit the SSN is the citizen number",
            )
            return FormCheck(valid=False, problems=[why])
        return FormCheck(valid=result.valid, problems=result.problems, warnings=result.warnings)
    if len(result.normalized) == 18 and result.doc_type is not None and result.normalized[:1].isdigit():
        return FormCheck(valid=result.valid, problems=result.problems, warnings=result.warnings)
    unverified = refusal(
        "ss_number_unverified",
        "5",
        "社会保障号码按全国统一规则编制，格式无法核验，请核对",
        "SSN allocated under national rules: format not verifiable, please double-check",
    )
    return FormCheck(valid=True, warnings=[unverified])
