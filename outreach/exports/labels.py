"""Chinese labels for the values exports show (outcomes, operation kinds, answers, deadline kinds, fields)."""

from __future__ import annotations

from outreach.i18n import CATALOGUES

_ZH = CATALOGUES["zh_CN"]


def _section(prefix: str, *, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """The catalogue's Chinese names under ``prefix`` (the app's words, so an export and the screen agree)."""
    return {key[len(prefix):]: text for key, text in _ZH.items()
            if key.startswith(prefix) and key[len(prefix):] not in skip}


OUTCOME_ZH = {**_section("outcome."), "": "计划中"}
KIND_ZH = _section("kind.")
DEADLINE_ZH = _section("deadline.", skip=("overdue", "in_days"))
ANSWER_ZH = {
    "applied": "已生效", "applied_with_conflict": "已生效（有冲突）", "duplicate": "重复",
    "rejected": "被拒绝", "pending": "待上传", "": "待中心答复",
}
DEADLINE_ZH = {
    "issue": "30 个工作日内制卡", "quick_service": "5 日内快速办理", "recall": "180 日未领回收",
    "lift_temporary": "临时挂失 15 日到期", "bank_account_closure": "注销后 180 日关闭金融账户",
    "expiry": "有效期届满",
}
FIELD_ZH = {"id_number": "证件号码", "mobile": "手机号码", "bank_account": "银行账号", "photo": "照片"}
DATASET_ZH = {"visits": "走访记录", "operations": "卡务操作", "deadlines": "办理期限", "reveals": "敏感信息查看",
              "sessions": "场次核对"}
DATASET_EN = {"visits": "visit log", "operations": "card operations", "deadlines": "deadlines",
              "reveals": "reveal audit", "sessions": "session reconciliations"}
#: A roster person's outcome at the close of a bulk activation day (outreach.domain.sessions.CloseLine; the
#: words of the day's own report, outreach/bulkdays/report.py).
SESSION_OUTCOME_ZH = {"activated": "已激活", "handed_over": "已发卡", "applied": "已代为申领", "absent": "未到场",
                      "exception": "未完成（例外）"}
