"""The error module: one base class, bilingual messages, the documented tree."""

from __future__ import annotations

import inspect

import hardware.errors as errors


def test_one_base_and_messages():
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if c.__module__ == errors.__name__]
    assert len(classes) >= 12
    for cls in classes:
        assert issubclass(cls, errors.HardwareError)
        assert (
            cls.__doc__
            and "raised" in cls.__doc__.lower()
            or cls in (errors.HardwareError, errors.ReaderError, errors.CardError)
        )
        assert cls.message_zh
        assert cls.message_en
        assert cls.__name__ in errors.__doc__


def test_instance_overrides_and_str():
    exc = errors.CardLocked("SSSE", sw=0x6A81, reader="r")
    assert "6A81" in str(exc)
    assert exc.reader == "r"
    assert exc.message_zh.startswith("此卡")
    custom = errors.PsamError(message_en="x", message_zh="y")
    assert (custom.message_en, custom.message_zh, str(custom)) == ("x", "y", "x")
