"""The bilingual explanation attached to every refused check or event."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Refusal(BaseModel):
    """Why something was refused (or, in a warnings list, what looks doubtful).

    ``code`` is stable and machine-readable (``snake_case``); ``article`` names the article of the Hainan
    measures (琼府办〔2021〕60号) the rule comes from ("" when it is a technical format rule, e.g. a check digit);
    the messages are shown to the worker and the holder, Chinese first. ``field`` names the input the refusal is
    about, as a dotted path into the checked model (``"agent.document.number"`` of an event or an application
    form, ``"photo_ref"``, ``"document_checked"``), or None when it is about the case as a whole (a card's status).
    The laptop shows such a refusal under the form input that fills that path.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    article: str = ""
    message_zh: str
    message_en: str
    field: str | None = None

    def text(self) -> str:
        """Both messages on one line, Chinese first."""
        return f"{self.message_zh} / {self.message_en}"


def refusal(code: str, article: str, message_zh: str, message_en: str, *, field: str | None = None) -> Refusal:
    """Shorthand constructor."""
    return Refusal(code=code, article=article, message_zh=message_zh, message_en=message_en, field=field)


def about(problems: list[Refusal], field: str) -> list[Refusal]:
    """``problems`` of a value checked on its own (a name, a number), each naming the input ``field`` it came from."""
    return [p.model_copy(update={"field": field}) for p in problems]
