"""The card fee rule of Art. 24: who pays the bank's card fee (工本费), recorded with its reason, never the amount.

Free: the first application; a second- to third-generation change; exchange for expiry (Art. 21 reason 1) or
upgrade (reason 5); anyone in special hardship (特困人员, 低保对象). Everything else (replacement, other exchanges,
reissues) is charged by the cooperating bank under its card rules.
"""

from __future__ import annotations

from typing import Literal

from outreach.domain.decision import FeeDecision
from outreach.domain.enums import Hardship

FeeCase = Literal["apply", "replace", "exchange", "reissue", "not_returned"]


def _free(code: str, zh: str, en: str) -> FeeDecision:
    return FeeDecision(charged=False, code=code, reason_zh=zh, reason_en=en)


def _charged(code: str, zh: str, en: str, article: str = "24") -> FeeDecision:
    return FeeDecision(charged=True, code=code, article=article, reason_zh=zh, reason_en=en)


def fee_decision(
    case: FeeCase,
    *,
    hardship: Hardship = Hardship.NONE,
    first_card: bool = False,
    exchange_reason: int | None = None,
    old_generation: str | None = None,
    new_generation: str | None = None,
) -> FeeDecision:
    """Decide whether the card fee applies (Art. 24, and Art. 25 for an old card not handed in).

    Args:
        case: the kind of application.
        hardship: the holder's special-hardship status.
        first_card: True when the person never had a card before (first application).
        exchange_reason: Art. 21 reason (1-7) for an exchange.
        old_generation, new_generation: card generations, to recognise a 2nd to 3rd generation change.

    Raises nothing.
    """
    if case == "apply" and first_card:
        return _free("first_application", "首次申领社会保障卡，免收工本费", "first application: free")
    if hardship is not Hardship.NONE:
        who = "特困人员" if hardship is Hardship.EXTREMELY_POOR else "低保对象"
        return _free("hardship", f"{who}等特殊困难人员免收工本费", "special hardship (特困/低保): free")
    if case in ("exchange", "reissue") and old_generation == "2" and new_generation == "3":
        return _free(
            "upgrade_2_to_3", "第二代社会保障卡更换为第三代，免收工本费", "2nd to 3rd generation change: free"
        )
    if case == "exchange" and exchange_reason == 1:
        return _free("exchange_expiry", "有效期满换领，免收工本费", "exchange for expiry (reason 1): free")
    if case == "exchange" and exchange_reason == 5:
        return _free(
            "exchange_upgrade", "升级换代换领，免收工本费", "exchange for card upgrade (reason 5): free"
        )
    if case == "replace":
        return _charged(
            "replacement", "补领社会保障卡，由合作金融机构收取工本费", "replacement: charged by the bank"
        )
    if case == "exchange":
        return _charged(
            "exchange_charged",
            f"第{exchange_reason}项原因换领，由合作金融机构收取工本费",
            f"exchange for reason {exchange_reason}: charged by the bank",
        )
    if case == "reissue":
        return _charged(
            "reissue", "关键信息变更换发，由合作金融机构收取工本费", "reissue: charged by the bank"
        )
    if case == "not_returned":
        return _charged(
            "old_card_not_returned",
            "未交回原卡，按补领流程处理，由合作金融机构收取工本费",
            "old card not handed in: handled as a replacement, charged by the bank",
            article="25",
        )
    return _charged(
        "not_first_application",
        "非首次申领，由合作金融机构按银行卡规定收取工本费",
        "not a first application: charged by the bank",
    )
