"""``read_card``: one card into one validated :class:`~hardware.model.CardData` (reference §5, §9).

APDU plan (no redundant command; records read by SFI so no SELECT EF, each record once with its exact Le):

1. SELECT SSSE by name (FCI gives the algorithm byte).
2. READ RECORD SFI 5 by identifier: 01 card-ID, 02 category, 03 version, 05 issue, 06 expiry, 07 card number.
3. 1st/2nd gen: READ RECORD SFI 6 by identifier 08, 09, (4E only when the name field is full), 0A, 0B, 0C, 0D.
   3rd gen: only with a PSAM: GET CHALLENGE, PSAM DELIVERY SESSION KEY + CIPHER DATA, EXTERNAL AUTHENTICATE,
   then the EF06 reads. Without a PSAM nothing is sent and ``personal_data_status == "needs_psam"``; a refused
   authentication gives ``"auth_failed"`` (one try used; that card+PSAM pair is never tried again).
4. Bank: SELECT PPSE (or PSE), SELECT AID, GPO, AFL records until tag 5A.

VERIFY is never sent; EXTERNAL AUTHENTICATE only with a PSAM-computed cryptogram.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any, Literal, cast

from hardware.apdu import LOCKED_SWS, Channel, build_apdu
from hardware.bank import read_pan
from hardware.codec import decode_bcd, decode_date, decode_hex_code, decode_text, find_tlv, simple_tlv
from hardware.errors import (
    CardLocked,
    CardRemoved,
    HardwareError,
    NoCard,
    NoReader,
    NotSocialSecurityCard,
    PsamError,
    UnreadableData,
)
from hardware.model import CardData, CardWarning, Generation, PersonalDataStatus, ReaderRole
from hardware.psam import Psam, external_authenticate

if TYPE_CHECKING:
    from hardware.apdu import Transport
    from hardware.base import CardReader

SSSE_NAME = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")
SELECT_SSSE = build_apdu(0x00, 0xA4, 0x04, 0x00, SSSE_NAME)
#: (tag, value length) of the EF05 items read, and of EF06.
EF05_ITEMS = ((0x01, 16), (0x02, 1), (0x03, 4), (0x05, 4), (0x06, 4), (0x07, 9))
EF06_ITEMS = ((0x08, 18), (0x09, 30), (0x4E, 20), (0x0A, 1), (0x0B, 1), (0x0C, 3), (0x0D, 4))
_NOT_SSC = frozenset({0x6A82, 0x6A86, 0x6D00, 0x6E00, 0x6A80, 0x6700})


def read_record(ch: Channel, sfi: int, tag: int, length: int) -> bytes | None:
    """READ RECORD by identifier in SFI ``sfi`` with Le = 2 + length; None on 6A83 (record missing).

    Raises:
        CardLocked: 6A81/9303/6983.
        UnreadableData: other SWs or a malformed record.
    """
    resp = ch.transmit(bytes((0x00, 0xB2, tag, sfi << 3, length + 2)))
    if resp.sw == 0x6A83:
        return None
    if resp.sw in LOCKED_SWS:
        raise CardLocked(f"record {tag:02X}", sw=resp.sw)
    if not resp.ok:
        raise UnreadableData(f"record {tag:02X}", sw=resp.sw)
    return simple_tlv(resp.data, tag)


def select_ssse(ch: Channel) -> int | None:
    """SELECT SSSE; returns the algorithm byte from the FCI (None if absent).

    Raises:
        NotSocialSecurityCard, CardLocked, UnreadableData.
    """
    resp = ch.transmit(SELECT_SSSE)
    if resp.sw in LOCKED_SWS:
        raise CardLocked("SSSE", sw=resp.sw)
    if resp.sw in _NOT_SSC:
        raise NotSocialSecurityCard("SSSE select", sw=resp.sw)
    if not resp.ok:
        raise UnreadableData("SSSE select", sw=resp.sw)
    if not resp.data:
        return None
    alg_template = find_tlv(resp.data, 0x9F0C)
    if alg_template:
        alg = find_tlv(alg_template, 0x86)
        if alg:
            return alg[0]
    return None


def _read_ef05(ch: Channel) -> dict[str, Any]:
    vals: dict[int, bytes] = {}
    for tag, length in EF05_ITEMS:
        value = read_record(ch, 5, tag, length)
        if value is None:
            raise UnreadableData(f"EF05 record {tag:02X} missing", sw=0x6A83)
        vals[tag] = value
    number = decode_text(vals[0x07], what="card number")[:9]
    return {
        "card_id_code": decode_hex_code(vals[0x01]),
        "card_category": decode_text(vals[0x02], what="category"),
        "version": decode_text(vals[0x03], what="version"),
        "issue_date": decode_date(vals[0x05], what="issue date"),
        "expiry_date": decode_date(vals[0x06], what="expiry date"),
        "card_number": number or None,
    }


def _read_ef06(ch: Channel) -> dict[str, Any] | None:
    """EF06 items; None when the card carries no personal records (6A83 on the SSN)."""
    out: dict[str, Any] = {}
    resp = ch.transmit(build_apdu(0x00, 0xB2, 0x08, 6 << 3, le=20))
    if resp.sw == 0x6982:  # protected even though the version says otherwise
        return _PROTECTED
    if resp.sw == 0x6A83:
        return None
    if resp.sw in LOCKED_SWS:
        raise CardLocked("record 08", sw=resp.sw)
    if not resp.ok:
        raise UnreadableData("record 08", sw=resp.sw)
    ssn = simple_tlv(resp.data, 0x08)
    out["ssn"] = decode_text(ssn, what="SSN").upper()
    name = read_record(ch, 6, 0x09, 30)
    if name is None:
        raise UnreadableData("EF06 name missing", sw=0x6A83)
    if name.rstrip(b"\x00") == name:  # full field: the name continues in tag 4E
        ext = read_record(ch, 6, 0x4E, 20) or b""
        name = name + ext.rstrip(b"\x00")
    out["name"] = decode_text(name, what="name") or None
    items = {0x0A: 1, 0x0B: 1, 0x0C: 3, 0x0D: 4}
    raw = {tag: read_record(ch, 6, tag, length) for tag, length in items.items()}
    out["sex"] = decode_text(raw[0x0A], what="sex") if raw[0x0A] else None
    out["ethnicity"] = decode_bcd(raw[0x0B], what="ethnicity") if raw[0x0B] else None
    out["birthplace"] = decode_bcd(raw[0x0C], what="birthplace") if raw[0x0C] else None
    out["birth_date"] = decode_date(raw[0x0D], what="birth date") if raw[0x0D] else None
    return out


#: Marker returned by ``_read_ef06`` when EF06 answers 6982 (security status not satisfied).
_PROTECTED: dict[str, Any] = {}


def _authenticate(
    ch: Channel,
    psam_provider: Any,
    algorithm: int | None,
    card_id: str,
    warnings: list[CardWarning],
    refused: dict[tuple[str, str], PsamError],
) -> tuple[PersonalDataStatus, str | None]:
    """RKSSSE external authentication for a 3rd-gen card. Returns (status, PSAM terminal id); status
    ``not_read`` means authenticated (EF06 may be read now).

    A refused cryptogram (63Cx) uses one of the card's tries: the (card, PSAM) pair is remembered in
    ``refused`` and never tried again, so repeated reads cannot lock the card.
    """
    psam_obj: Psam | None = psam_provider() if psam_provider is not None else None
    if psam_obj is None:
        return "needs_psam", None
    try:
        terminal_id = psam_obj.terminal_id()
        if (card_id, terminal_id) in refused:
            warnings.append(_auth_warning(refused[(card_id, terminal_id)]))
            return "auth_failed", terminal_id
        external_authenticate(ch, psam_obj, algorithm or 0x03, card_id[:6])
    except PsamError as exc:
        if exc.sw is not None and exc.sw >> 4 == 0x63C:
            refused[(card_id, psam_obj.terminal_id())] = exc
        warnings.append(_auth_warning(exc))
        return "auth_failed", None
    return "not_read", terminal_id


def _auth_warning(exc: PsamError) -> CardWarning:
    return CardWarning("psam_auth_failed", exc.message_zh, exc.message_en)


def _pick_reader(backend: CardReader, reader: str | None) -> tuple[str, Transport]:
    if reader is not None:
        return reader, backend.connect(reader)  # raises NoReader for an unknown name
    names = backend.reader_names()
    if not names:
        raise NoReader()
    kept_psam = backend.psam_session[0] if backend.psam_session else None
    for name in names:
        if name == kept_psam or backend.rules.role_by_name(name) is ReaderRole.PSAM:
            continue
        try:
            transport = backend.connect(name)
        except NoCard:
            continue
        if backend.classify(name, transport) is ReaderRole.USER:
            return name, transport
        transport.close()
    raise NoCard()


def _find_psam(backend: CardReader, user_reader: str, psam: str | None) -> tuple[Psam, Transport] | None:
    if psam is None:
        return None
    candidates = [psam] if psam != "auto" else [n for n in backend.reader_names() if n != user_reader]
    for name in candidates:
        try:
            transport = backend.connect(name, transaction=False)
        except HardwareError:
            if psam != "auto":
                raise
            continue
        role = backend.rules.role_by_name(name)
        if role is ReaderRole.UNKNOWN:
            role = backend.rules.role_by_atr(transport.atr)
        p = Psam(Channel(transport))
        try:
            if role is not ReaderRole.USER:
                p.terminal_id()
                return p, transport
        except PsamError:
            pass
        transport.close()
    return None


def read_from_channel(
    ch: Channel,
    *,
    psam_provider: Any = None,
    personal: bool = True,
    bank: bool = True,
    reader: str | None = None,
    refused: dict[tuple[str, str], PsamError] | None = None,
) -> CardData:
    """Read a card over an open channel (see module docstring for the APDU plan).

    Args:
        ch: Channel to the user card.
        psam_provider: Callable returning a :class:`Psam` or None, called only for a 3rd-gen card.
        personal: Read EF06 where allowed.
        bank: Read the PAN.
        reader: Reader name to record.
        refused: (card-ID code, PSAM terminal id) pairs whose authentication was refused; updated.

    Returns:
        The validated :class:`CardData`.

    Raises:
        See :meth:`hardware.base.CardReader.read_card`.
    """
    try:
        algorithm = select_ssse(ch)
        ef05 = _read_ef05(ch)
        version: str = ef05["version"]
        gen = Generation(version[0]) if version[:1] in ("1", "2", "3") else Generation.FIRST
        status: PersonalDataStatus = "not_read"
        ef06: dict[str, Any] | None = None
        terminal_id: str | None = None
        warnings: list[CardWarning] = []
        if personal:
            if gen is Generation.THIRD:
                status, terminal_id = _authenticate(
                    ch,
                    psam_provider,
                    algorithm,
                    ef05["card_id_code"],
                    warnings,
                    {} if refused is None else refused,
                )
            if status == "not_read":
                ef06 = _read_ef06(ch)
                status = "needs_psam" if ef06 is _PROTECTED else "read" if ef06 is not None else "empty"
                if ef06 is _PROTECTED:
                    ef06 = None
        pan = None
        source: Literal["5A", "57"] | None = None
        if bank:
            try:
                result = read_pan(ch)
                pan, source = result.pan, result.source
            except (UnreadableData, CardLocked) as exc:
                warnings.append(
                    CardWarning(
                        "bank_unreadable", "银行应用无法读取。", f"Bank application unreadable: {exc}"
                    )
                )
        return CardData(
            atr=ch.atr,
            generation=gen,
            algorithm=algorithm,
            personal_data_status=status,
            pan=pan,
            pan_source=source,
            reader=reader,
            psam_terminal_id=terminal_id,
            warnings=tuple(warnings),
            **ef05,
            **(ef06 or {}),
        )
    except HardwareError:
        raise
    except (
        ValueError,
        IndexError,
        KeyError,
        TypeError,
    ) as exc:  # belt and braces: parsers raise UnreadableData
        raise UnreadableData(f"parse error: {type(exc).__name__}") from exc


def read_card(
    backend: CardReader,
    reader: str | None = None,
    *,
    psam: str | None = "auto",
    personal: bool = True,
    bank: bool = True,
) -> CardData:
    """Read the card in ``reader`` of ``backend``; see :meth:`hardware.base.CardReader.read_card`.

    A card removed at any point raises :class:`CardRemoved`; no partial value is returned.
    """
    name, transport = _pick_reader(backend, reader)

    def provider() -> Psam | None:
        # The PSAM stays in its slot: keep it connected between reads (checked alive without an APDU).
        session = backend.psam_session
        if session is not None:
            if (psam == "auto" or psam == session[0]) and session[1].alive():
                return cast(Psam, session[2])
            backend.psam_session = None
            session[1].close()
        found = _find_psam(backend, name, psam)
        if found is None:
            return None
        backend.psam_session = (found[1].reader_name, found[1], found[0])
        return found[0]

    try:
        data = read_from_channel(
            Channel(transport),
            psam_provider=provider,
            personal=personal,
            bank=bank,
            reader=name,
            refused=backend.refused_auth,
        )
    except CardRemoved as exc:
        exc.reader = name
        raise
    except PsamError:  # the PSAM itself failed (removed, not answering): re-discover next time
        session, backend.psam_session = backend.psam_session, None
        if session is not None:
            session[1].close()
        raise
    finally:
        transport.close()
    return data


def card_data_with(data: CardData, **changes: Any) -> CardData:
    """``dataclasses.replace`` re-running validation (handy for tests and demo data)."""
    return dataclasses.replace(data, **changes)


_ = dt
