"""The bilingual explanation attached to every refused check or event."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Refusal(BaseModel):
    """Why something was refused (or, in a warnings list, what looks doubtful).

    ``code`` is stable and machine-readable (``snake_case``); ``article`` names the article of the Hainan
    measures (琼府办〔2021〕60号) the rule comes from ("" when it is a technical format rule, e.g. a check digit);
    the messages are shown to the worker and the holder, Chinese first.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    article: str = ""
    message_zh: str
    message_en: str

    def text(self) -> str:
        """Both messages on one line, Chinese first."""
        return f"{self.message_zh} / {self.message_en}"


def refusal(code: str, article: str, message_zh: str, message_en: str) -> Refusal:
    """Shorthand constructor."""
    return Refusal(code=code, article=article, message_zh=message_zh, message_en=message_en)
