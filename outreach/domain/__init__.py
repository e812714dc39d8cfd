"""outreach/domain: the pure rules of the Hainan social security card (琼府办〔2021〕60号).

Public names (see docs/contracts.md) are re-exported here; modules:
``enums``, ``models``, ``events``, ``refusal``, ``identity``, ``numbers``, ``names``, ``forms``, ``regions``,
``calendar``, ``lifecycle`` (``decide``), ``renewal``, ``fees``, ``deadlines``, ``conflicts``, ``operation``.
"""

from outreach.domain.calendar import CHINA_TZ, WorkingDayCalendar, business_day
from outreach.domain.conflicts import deterministic_op_id, precedence
from outreach.domain.deadlines import due_events, pending_deadlines
from outreach.domain.decision import Deadline, Decision, FeeDecision, RuleContext
from outreach.domain.enums import LIVE_STATUSES, CardStatus, DocType, Gender, Hardship, VisitOutcome
from outreach.domain.events import (
    CardApply,
    CardBankActivate,
    CardCancel,
    CardDeliver,
    CardExchange,
    CardIssue,
    CardLiftSuspension,
    CardLiftTemporary,
    CardLossFormal,
    CardLossTemporary,
    CardRecall,
    CardReissue,
    CardReplace,
    CardReturnOld,
    CardSuspend,
    CardUnlock,
    LifecycleEvent,
    parse_event,
)
from outreach.domain.fees import fee_decision
from outreach.domain.forms import FormCheck, check_form, check_person
from outreach.domain.identity import IdentityCheck, check_identity
from outreach.domain.lifecycle import decide
from outreach.domain.models import (
    Agent,
    ApplicationForm,
    CardState,
    IdentityDocument,
    Person,
    PersonCards,
    Visit,
)
from outreach.domain.names import check_name
from outreach.domain.numbers import FieldCheck, check_bank_card, check_card_number, check_mobile
from outreach.domain.refusal import Refusal

__all__ = [
    "CHINA_TZ",
    "LIVE_STATUSES",
    "Agent",
    "ApplicationForm",
    "CardApply",
    "CardBankActivate",
    "CardCancel",
    "CardDeliver",
    "CardExchange",
    "CardIssue",
    "CardLiftSuspension",
    "CardLiftTemporary",
    "CardLossFormal",
    "CardLossTemporary",
    "CardRecall",
    "CardReissue",
    "CardReplace",
    "CardReturnOld",
    "CardState",
    "CardStatus",
    "CardSuspend",
    "CardUnlock",
    "Deadline",
    "Decision",
    "DocType",
    "FeeDecision",
    "FieldCheck",
    "FormCheck",
    "Gender",
    "Hardship",
    "IdentityCheck",
    "IdentityDocument",
    "LifecycleEvent",
    "Person",
    "PersonCards",
    "Refusal",
    "RuleContext",
    "Visit",
    "VisitOutcome",
    "WorkingDayCalendar",
    "business_day",
    "check_bank_card",
    "check_card_number",
    "check_form",
    "check_identity",
    "check_mobile",
    "check_name",
    "check_person",
    "decide",
    "deterministic_op_id",
    "due_events",
    "fee_decision",
    "parse_event",
    "pending_deadlines",
    "precedence",
]
