"""Synthetic Hainan people for demos and benchmarks (``outreach demo seed``): never real data.

Deterministic for a given ``seed`` and ``today``: names (Han, Li and Miao surnames), valid Hainan region
codes, resident identity numbers with a correct GB 11643 check digit, both genders, ages 0-100, mobiles,
addresses in real Hainan towns, cards in every :class:`CardStatus`, visits in every outcome, some planned
visits from the "center". Operations go through the vault's bulk path (one transaction per batch), each
still hashed, signed and chained.

Only operations a laptop may make are written as device operations, and each passes the domain's form
checks (a synthetic photo from age 7, a guardian under 16). Statuses only the center decides (card made and
ready, suspended, recalled) arrive as pulled center records, as they would on a real laptop.
"""

from __future__ import annotations

import random
import struct
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from outreach.domain.enums import CardStatus, DocType, Gender, Hardship, VisitOutcome
from outreach.domain.forms import age_on
from outreach.domain.identity import mod11_2_check
from outreach.domain.models import Agent, CardState, IdentityDocument, Person, PersonCards, Visit
from outreach.domain.numbers import card_number_check_char

if TYPE_CHECKING:
    from storage import Vault

#: Fixed reference day so that the same seed gives the same people on any day.
REFERENCE_DAY = date(2026, 11, 1)

#: Region code -> (place name, towns). Real Hainan codes (GB/T 2260) and towns.
AREAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "460105": ("海口市秀英区", ("长流镇", "西秀镇", "东山镇", "石山镇", "永兴镇")),
    "460106": ("海口市龙华区", ("城西镇", "新坡镇", "遵谭镇", "龙泉镇", "龙桥镇")),
    "460107": ("海口市琼山区", ("云龙镇", "红旗镇", "三门坡镇", "大坡镇", "甲子镇", "旧州镇")),
    "460108": ("海口市美兰区", ("灵山镇", "演丰镇", "三江镇", "大致坡镇")),
    "460202": ("三亚市海棠区", ("海棠湾镇",)),
    "460203": ("三亚市吉阳区", ("吉阳镇",)),
    "460204": ("三亚市天涯区", ("天涯镇", "育才镇")),
    "460205": ("三亚市崖州区", ("崖城镇", "梅山镇")),
    "460400": ("儋州市", ("那大镇", "和庆镇", "南丰镇", "白马井镇", "中和镇", "海头镇")),
    "469001": ("五指山市", ("通什镇", "南圣镇", "毛阳镇", "番阳镇", "水满乡")),
    "469002": ("琼海市", ("嘉积镇", "博鳌镇", "潭门镇", "中原镇", "万泉镇", "长坡镇")),
    "469005": ("文昌市", ("文城镇", "龙楼镇", "东郊镇", "会文镇", "铺前镇", "锦山镇")),
    "469006": ("万宁市", ("万城镇", "和乐镇", "北大镇", "龙滚镇", "后安镇")),
    "469007": ("东方市", ("八所镇", "东河镇", "大田镇", "感城镇", "板桥镇")),
    "469021": ("定安县", ("定城镇", "龙湖镇", "雷鸣镇", "岭口镇")),
    "469022": ("屯昌县", ("屯城镇", "乌坡镇", "南吕镇")),
    "469023": ("澄迈县", ("金江镇", "老城镇", "福山镇", "永发镇")),
    "469024": ("临高县", ("临城镇", "博厚镇", "新盈镇", "调楼镇")),
    "469025": ("白沙黎族自治县", ("牙叉镇", "七坊镇", "邦溪镇", "打安镇")),
    "469026": ("昌江黎族自治县", ("石碌镇", "叉河镇", "海尾镇", "七叉镇")),
    "469027": ("乐东黎族自治县", ("抱由镇", "万冲镇", "志仲镇", "千家镇", "九所镇", "利国镇")),
    "469028": ("陵水黎族自治县", ("椰林镇", "英州镇", "新村镇", "黎安镇", "本号镇")),
    "469029": ("保亭黎族苗族自治县", ("保城镇", "什玲镇", "响水镇", "加茂镇", "六弓乡")),
    "469030": ("琼中黎族苗族自治县", ("营根镇", "湾岭镇", "红毛镇", "黎母山镇", "什运乡")),
}
_LI_AREAS = ("469001", "469025", "469026", "469027", "469028", "469029", "469030", "469007")
_MIAO_AREAS = ("469029", "469030", "469001")

_HAN_SURNAMES = "王陈李吴林符黄张邢云周郑冯韩蒙羊梁何谢钟杨许潘曾莫刘卢庞颜麦陆唐"
_LI_SURNAMES = "符王黄吉邢李陈刘卓胡文董"
_MIAO_SURNAMES = "蒋邓李盘赵冯陈"
_GIVEN_MALE = "明华国强文军海平建伟志东亮春德福永光成才雄斌龙"
_GIVEN_FEMALE = "芳丽秀英玉兰梅花娟霞燕红萍琴珍妹莲凤婷慧琳"
_VILLAGE_WORDS = ("新", "坡", "南", "北", "大", "排", "美", "上", "下", "东", "西", "岭", "田", "水", "加", "那")
_STATUS_WEIGHTS: dict[CardStatus, int] = {
    CardStatus.ACTIVE: 40, CardStatus.APPLIED: 10, CardStatus.READY: 10, CardStatus.TEMP_LOST: 5,
    CardStatus.LOST: 5, CardStatus.CANCELLED: 5, CardStatus.SUSPENDED: 4, CardStatus.RECALLED: 4,
    CardStatus.REPLACED: 8, CardStatus.EXCHANGED: 9,
}


def _card_number(serial: int) -> str:
    """9-character card number: "H", 7 digits, and the domain's check character."""
    body = f"H{serial:07d}"
    return body + card_number_check_char(body)



@dataclass
class SeedReport:
    people: int = 0
    operations: int = 0
    planned_visits: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


#: Statuses that only the center decides: seeded as pulled center records, never as device operations.
CENTER_DECIDED = frozenset({CardStatus.READY, CardStatus.SUSPENDED, CardStatus.RECALLED})


def synthetic_photo() -> bytes:
    """A tiny grey PNG standing in for every seeded person's photo (no real face is ever seeded)."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    rows = b"".join(b"\x00" + b"\x80" * 32 for _ in range(40))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 32, 40, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


class _Gen:
    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.used_ids: set[str] = set()
        self.card_serial = self.rng.randrange(1_000_000, 5_000_000)
        #: person id -> card state decided by the center, waiting to be delivered as a pulled record
        self.pending_center: dict[str, PersonCards] = {}

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _name(self, ethnicity: str, gender: Gender) -> str:
        pool = {"19": _LI_SURNAMES, "06": _MIAO_SURNAMES}.get(ethnicity, _HAN_SURNAMES)
        given = _GIVEN_MALE if gender is Gender.MALE else _GIVEN_FEMALE
        return self.rng.choice(pool) + "".join(self.rng.choice(given) for _ in range(self.rng.choice((1, 2, 2))))

    def person(self) -> Person:
        rng = self.rng
        roll = rng.random()
        ethnicity = "19" if roll < 0.15 else "06" if roll < 0.17 else "03" if roll < 0.175 else "01"
        if ethnicity == "19":
            area = rng.choice(_LI_AREAS)
        elif ethnicity == "06":
            area = rng.choice(_MIAO_AREAS)
        else:
            area = rng.choice(tuple(AREAS))
        gender = Gender.MALE if rng.random() < 0.5 else Gender.FEMALE
        age_days = rng.randrange(0, 100 * 365)
        birth = self.today - timedelta(days=age_days)
        while True:
            order = rng.randrange(0, 500) * 2 + (1 if gender is Gender.MALE else 0)
            first17 = f"{area}{birth:%Y%m%d}{order:03d}"
            number = first17 + mod11_2_check(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                break
        minor = age_days < 16 * 365
        doc_type = DocType.HOUSEHOLD_REGISTER if minor and rng.random() < 0.6 else DocType.RESIDENT_ID
        mobile = None if rng.random() < 0.15 else rng.choice(("13", "15", "18", "19")) + f"{rng.randrange(10**9):09d}"
        place, towns = AREAS[area]
        village = rng.choice(_VILLAGE_WORDS) + rng.choice(_VILLAGE_WORDS) + "村"
        address = f"海南省{place}{rng.choice(towns)}{village}{rng.randrange(1, 200)}号"
        hardship = rng.choices(list(Hardship), weights=(90, 4, 6))[0]
        return Person(
            person_id=self.uid(),
            name=self._name(ethnicity, gender),
            gender=gender,
            ethnicity=ethnicity,
            birth_date=birth,
            document=IdentityDocument(doc_type=doc_type, number=number),
            ss_number=number,
            mobile=mobile,
            address=address,
            area_code=area,
            hardship=hardship,
        )

    def card(self, person_id: str, status: CardStatus, accepted: date, *, reason: str = "first") -> CardState:
        self.card_serial += 1
        issued = accepted + timedelta(days=self.rng.randrange(5, 40))
        collected = issued + timedelta(days=self.rng.randrange(1, 60))
        produced = status is not CardStatus.APPLIED
        in_hand = status not in (CardStatus.APPLIED, CardStatus.READY, CardStatus.RECALLED)
        return CardState(
            card_id=self.uid(),
            person_id=person_id,
            status=status,
            bank_activated=in_hand and self.rng.random() < 0.8,
            card_number=_card_number(self.card_serial) if produced else None,
            accepted_on=accepted,
            issued_on=issued if produced else None,
            expires_on=issued.replace(year=issued.year + 10) if produced and issued.month * 100 + issued.day != 229 else None,
            collected_on=collected if in_hand else None,
            temp_loss_period="15d" if status is CardStatus.TEMP_LOST else None,
            temp_loss_since=self.today - timedelta(days=3) if status is CardStatus.TEMP_LOST else None,
            lost_on=collected + timedelta(days=100) if status in (CardStatus.LOST, CardStatus.REPLACED) else None,
            replacement_applied=status is CardStatus.REPLACED,
            cancelled_on=self.today - timedelta(days=20) if status is CardStatus.CANCELLED else None,
            reason=reason,
            electronic=in_hand and self.rng.random() < 0.5,
        )

    def guardian(self, person: Person, *, child: bool = False) -> Agent:
        """A parent of ``person`` acting as guardian, or (``child``) an adult child acting as agent,
        e.g. to cancel a deceased parent's card (Art. 27). Same area, 20-40 years apart."""
        gap = timedelta(days=self.rng.randrange(20 * 365, 40 * 365))
        born = min(person.birth_date + gap, self.today - timedelta(days=19 * 365)) if child else person.birth_date - gap
        gender = Gender.FEMALE if self.rng.random() < 0.5 else Gender.MALE
        first17 = f"{person.area_code}{born:%Y%m%d}{self.rng.randrange(0, 500) * 2 + (gender is Gender.MALE):03d}"
        female = gender is Gender.FEMALE
        relationship = ("女儿" if female else "儿子") if child else ("母亲" if female else "父亲")
        return Agent(name=self._name("01", gender), relationship=relationship,
                     document=IdentityDocument(doc_type=DocType.RESIDENT_ID, number=first17 + mod11_2_check(first17)),
                     proof="relationship_proof" if child else "guardianship")

    def card_ops(
        self, person: Person, status: CardStatus, *, photo_ref: str | None = None
    ) -> list[tuple[str, dict[str, object]]]:
        """(kind, payload) of a first application and, when the status needs one, the event reaching it.

        For a status in :data:`CENTER_DECIDED` only the application is a device operation; the caller
        delivers the card state with :meth:`center_cards`.
        """
        pid = person.person_id
        accepted = max(person.birth_date, self.today - timedelta(days=self.rng.randrange(30, 3000)))
        first = self.card(pid, CardStatus.APPLIED, accepted)
        form = {
            "name": person.name, "gender": person.gender.value, "ethnicity": person.ethnicity,
            "birth_date": person.birth_date.isoformat(), "nationality": "CHN",
            "document": person.document.model_dump(mode="json"), "mobile": person.mobile,
            "occupation": None, "address": person.address, "photo_ref": photo_ref,
            "agent": self.guardian(person).model_dump(mode="json") if age_on(person.birth_date, self.today) < 16 else None,
            "lacks_full_capacity": False,
        }
        apply_event = {"kind": "card.apply", "card_id": first.card_id, "form": form, "generation": "3",
                       "hardship": person.hardship.value, "bank_account_opened": True, "instant": False, "note": ""}
        ops = [("card.apply", self._payload(apply_event, PersonCards(person_id=pid, cards=[first])))]
        if status is CardStatus.APPLIED:
            return ops
        final = first.model_copy(update=self.card(pid, status, accepted).model_dump(exclude={"card_id"}))
        cards = [final]
        event: dict[str, object] = {"card_id": first.card_id, "note": ""}
        if status in CENTER_DECIDED:
            self.pending_center[pid] = PersonCards(person_id=pid, cards=cards)
            return ops
        if status is CardStatus.ACTIVE:
            event |= {"kind": "card.deliver", "method": self.rng.choice(("in_person", "home_delivery")),
                      "agent": None, "document_checked": True, "electronic": final.electronic}
        elif status is CardStatus.TEMP_LOST:
            event |= {"kind": "card.loss_temporary", "period": "15d", "identity_verified": True}
        elif status is CardStatus.LOST:
            event |= {"kind": "card.loss_formal", "document_checked": True}
        elif status is CardStatus.CANCELLED:
            event |= {"kind": "card.cancel", "agent": self.guardian(person, child=True).model_dump(mode="json"), "deceased_on": str(final.cancelled_on),
                      "proof": "death_certificate", "card_presented": True, "detected_by_center": False}
        else:  # replaced / exchanged: a new card follows the old one
            new = self.card(pid, CardStatus.APPLIED,
                            self.today - timedelta(days=self.rng.randrange(1, 30)),
                            reason="replace" if status is CardStatus.REPLACED else "exchange:5")
            cards.append(new)
            event = {"kind": "card.replace", "card_id": new.card_id, "generation": "3",
                     "hardship": person.hardship.value, "document_checked": True, "note": ""}
            if status is CardStatus.EXCHANGED:
                event |= {"kind": "card.exchange", "reason": 5, "photo_ref": None, "card_presented": True}
        ops.append((str(event["kind"]), self._payload(event, PersonCards(person_id=pid, cards=cards))))
        return ops

    @staticmethod
    def _payload(event: dict[str, object], cards: PersonCards) -> dict[str, object]:
        return {"event": event, "cards": cards.model_dump(mode="json"), "fee": None}

    def visit(self, person_id: str, worker_id: str, *, planned: bool) -> Visit:
        day = self.today + timedelta(days=self.rng.randrange(-60, 1) if not planned else self.rng.randrange(0, 14))
        outcome = self.rng.choice(list(VisitOutcome)) if not planned else None
        return Visit(visit_id=self.uid(), person_id=person_id, worker_id=worker_id, day=day, outcome=outcome,
                     present=["本人"] if outcome is VisitOutcome.DONE else [], notes="", planned=planned)


def seed_people(
    vault: Vault,
    people: int,
    *,
    seed: int = 0,
    today: date = REFERENCE_DAY,
    batch: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> SeedReport:
    """Register ``people`` synthetic people with cards and visits into ``vault``.

    Raises:
        storage errors (LogAppendError, VaultLockedError) from the vault.
    """
    gen = _Gen(seed, today)
    photo = vault.put_attachment(synthetic_photo(), "image/png")
    report = SeedReport()
    statuses = list(_STATUS_WEIGHTS)
    weights = list(_STATUS_WEIGHTS.values())
    done = 0
    while done < people:
        items: list[tuple[str, str, dict[str, object]]] = []
        plans: list[dict[str, object]] = []
        for _ in range(min(batch, people - done)):
            person = gen.person()
            pid = person.person_id
            # every status appears early, whatever the size
            status = statuses[done % len(statuses)] if done < len(statuses) else gen.rng.choices(statuses, weights)[0]
            if status is CardStatus.CANCELLED:
                person = person.model_copy(update={"deceased_on": today - timedelta(days=30)})
            if age_on(person.birth_date, today) >= 7:
                person = person.model_copy(update={"photo_ref": photo})
            items.append(("person.register", pid, {"person": person.model_dump(mode="json")}))
            if done < len(statuses) or gen.rng.random() < 0.9:
                items.extend((k, pid, p) for k, p in gen.card_ops(person, status, photo_ref=person.photo_ref))
                report.statuses[status.value] = report.statuses.get(status.value, 0) + 1
            if gen.rng.random() < 0.3:
                visit = gen.visit(pid, vault.worker_id, planned=False)
                items.append(("visit.log", pid, {"visit": visit.model_dump(mode="json")}))
            elif gen.rng.random() < 0.05:
                plan = gen.visit(pid, vault.worker_id, planned=True)
                plans.append({"type": "visit_plan", "id": plan.visit_id, "version": 0,
                              "data": plan.model_dump(mode="json")})
            done += 1
        report.operations += len(vault.append_many(items))
        plans.extend({"type": "cards", "id": pid, "version": 0, "data": cards.model_dump(mode="json")}
                     for pid, cards in gen.pending_center.items())
        gen.pending_center.clear()
        if plans:
            vault.apply_pulled(plans, checkpoint=vault.get_meta("pull_checkpoint") or "")
            report.planned_visits += sum(1 for c in plans if c["type"] == "visit_plan")
        report.people = done
        if progress is not None:
            progress(done, people)
    return report

