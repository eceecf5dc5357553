"""What a patient's message says: symptom observations for the inquiry and the other structured findings.

>>> reading = read_message(linker, "我男，45岁，肝区疼痛两周了，没有发烧，有乙肝", None)  # doctest: +SKIP
>>> reading.observations                                                                      # doctest: +SKIP
(Volunteered(symptom='肝区疼痛'), Answered(symptom='发热', present=False))
>>> reading.facts                                                                             # doctest: +SKIP
PatientFacts(age=45, sex='男', duration='两周', history=('乙肝',), medications=(), who='您')

Symptoms, diseases and drugs are linked against the knowledge graph's names and aliases (with negation); a
reply answers the pending closed question as :mod:`wenzhen.agent.closed_answer` reads it (有的, 烧过,
这个倒没有, 38度, 体温正常; 不知道 answers nothing), and a narrower symptom answers a broader one (低烧:
有没有发热).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from wenzhen.agent.closed_answer import read_closed_answer
from wenzhen.agent.condition_question import asked_about, taken
from wenzhen.agent.inquiry import (
    Answered,
    BodyPartDenied,
    BodyParts,
    BodyPartUnknown,
    NothingElse,
    Observation,
    Question,
    Volunteered,
)
from wenzhen.agent.locations import BodyLocations
from wenzhen.agent.numerals import COUNT, NUMERAL, YEARS, number
from wenzhen.agent.population import ADULTHOOD, CHILDHOOD, AgeBand, Population, as_sex
from wenzhen.kg_loader.schema import Label
from wenzhen.retrieval.kg import Mention, said_over_denied
from wenzhen.retrieval.negation import negated_before
from wenzhen.retrieval.patterns import CLAUSE_BREAKS
from wenzhen.retrieval.relatives import (
    FAMILY_WORDS,
    MINE_WORDS,
    RELATIVES,
    Generation,
    Relative,
    Sex,
    alternation,
)

_PREGNANT = re.compile(r"怀孕|孕妇|孕期|妊娠|孕[早中晚]期|怀了")
_CHILDBEARING: frozenset[AgeBand] = frozenset({"young", "middle"})
_BABY_AGE = re.compile(
    rf"(?:出生|生下来)(?:才|刚|刚刚)?(?:{COUNT})\s*(?:个多?月|天|周)"
    rf"|(?:宝宝|孩子|婴儿|小孩|儿子|女儿|闺女|娃)(?:才|刚|刚刚)?(?:{COUNT})\s*个多?月"
    rf"|(?:{COUNT})\s*(?:个多?月|天)(?:大|的(?:宝宝|孩子|婴儿|小孩))"
)
"""A baby's age in months or days (宝宝五个月大, 出生十天, 孩子八个月): less than a year, not a duration
(孩子三天没拉 is one)."""
_SEX = re.compile(r"(?:^|[，,。；;\s我是性别：:]|本人)(男|女)(?:性|的|生|孩|士|宝宝|[，,。；;\s]|$)")
_GENERATION_AGES: dict[Generation, frozenset[AgeBand]] = {
    "child": CHILDHOOD,
    "adult": ADULTHOOD,
    "old": frozenset({"old"}),
}
_AGES_OF: dict[str, frozenset[AgeBand]] = {
    relative.who: _GENERATION_AGES[relative.age] for relative in RELATIVES if relative.age is not None
}
"""How old a patient a relative writes for may be, by how questions name them (a brother, a friend: any
age)."""
_DESCRIBED = f"[^{CLAUSE_BREAKS}我俺]{{1,8}}?的老?"
"""Words describing the relative between 我 and them: 我一岁半的孩子, 我72岁的老父亲."""
_MINE = rf"[我俺](?:们家|家|的|{_DESCRIBED})?"
_AGE = re.compile(
    rf"({YEARS})\s*多?\s*(?:周岁|岁)"
    rf"|今年\s*({YEARS})多?(?![\d{NUMERAL}月号日天周年个])"
    rf"|(?:{alternation(MINE_WORDS)})(\d{{2}}|[{NUMERAL}]{{2,4}})多?了"
)
"""An age: 68岁, 五十多岁, 今年六十五, or N了 right after a relative (我姥爷82了, 老爷子七十多了; not
烧到39了)."""
_TELLING = r"(?:觉得|感觉|发现|担心|怀疑|想问问?|想咨询|想替|替|帮)(?:一下)?"
"""What the writer does when they write of a relative next (我觉得我的孩子…, 我担心我妈…)."""
_WRITER = re.compile(
    rf"[我俺](?!们|家|(?:的|{_DESCRIBED})?(?:{alternation(MINE_WORDS)})"
    rf"|{_TELLING}(?:{_MINE})?(?:{alternation(FAMILY_WORDS)}))"
)
"""The writer speaking of themselves (我最近…): then they are the patient."""
_DURATION = re.compile(r"((?:\d+|[一二两三四五六七八九十半几多]+)\s*(?:个多?)?(?:小时|天|日|周|星期|月|年))")
_NOTHING_ELSE = re.compile(r"没有了|没了|没有别的|没有其他|没其他|就这些|就这样|别的没有|其他没有")


def affirms(text: str, names: Iterable[str] = ()) -> bool:
    """A reply that says yes (:func:`read_closed_answer`: 有的, 当然有, 确实有 …; with the symptom's
    ``names``, its echo too), a hedged yes (好像有) included: a screening question must not let a doubtful
    yes pass as a no.

    >>> affirms("有的，出了好多汗"), affirms("没有"), affirms("不是"), affirms("好像有"), affirms("当然有")
    (True, False, False, True, True)
    >>> affirms("不知道"), affirms("烧过", ["发烧"])
    (False, True)
    """
    answer = read_closed_answer(text, names)
    return answer is not None and answer.present is True


class Linker(Protocol):
    def link(self, text: str) -> list[Mention]: ...

    def names_of(self, concept: str) -> tuple[str, ...]:
        """Every name of a symptom concept, narrower concepts' included where known."""
        ...

    def disease_named(self, mention: Mention, text: str) -> str | None:
        """The disease a mention names in ``text``, if any (a symptom may name one too: 有高血压)."""
        ...


@dataclass(frozen=True)
class PatientFacts:
    """Findings beyond symptoms: age (0: under a year), sex, how long, past diseases, medications,
    pregnancy."""

    age: int | None = None
    sex: str | None = None
    duration: str | None = None
    history: tuple[str, ...] = ()
    medications: tuple[str, ...] = ()
    who: str | None = None
    """How questions name the patient: 您 when the writer is the patient, 孩子 / 您父亲 … when a relative
    writes for them; None until a message has said."""
    pregnant: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PatientFacts:
        """From stored state (JSON turns tuples into lists)."""
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(**values)

    def merge(self, other: PatientFacts) -> PatientFacts:
        """Later values win, but the patient stays who the first message said (``who``), and a sex told
        by naming another relative (我妈也这样) is not the patient's; lists accumulate without repeats."""
        same_patient = self.who is None or other.who in (None, "您", self.who)
        return replace(
            self,
            age=other.age if other.age is not None else self.age,
            sex=other.sex if other.sex and same_patient else self.sex,
            duration=other.duration or self.duration,
            history=tuple(dict.fromkeys(self.history + other.history)),
            medications=tuple(dict.fromkeys(self.medications + other.medications)),
            who=self.who if self.who is not None else other.who,
            pregnant=self.pregnant or (other.pregnant and same_patient),
        )

    def summary(self, present: Sequence[str] = (), absent: Sequence[str] = ()) -> str:
        """The findings in one line, with the symptoms ``present`` and ``absent`` (the generator's prompt).

        >>> PatientFacts(age=0, sex="女", duration="三天").summary(["吐奶"], ["发热"])
        '女不满1岁；有吐奶；无发热；持续三天'
        >>> PatientFacts(age=28, pregnant=True, history=("乙肝",)).summary()
        '28岁；妊娠；既往：乙肝'
        """
        parts = []
        if self.sex or self.age is not None:
            age = "" if self.age is None else "不满1岁" if self.age == 0 else f"{self.age}岁"
            parts.append(f"{self.sex or ''}{age}")
        if self.pregnant:
            parts.append("妊娠")
        if present:
            parts.append("有" + "、".join(present))
        if absent:
            parts.append("无" + "、".join(absent))
        if self.duration:
            parts.append(f"持续{self.duration}")
        if self.history:
            parts.append("既往：" + "、".join(self.history))
        if self.medications:
            parts.append("用药：" + "、".join(self.medications))
        return "；".join(parts)

    def population(self) -> Population:
        """Who the patient is, as a disease's population is compared with: their age band (told, or a
        relative's: 孩子, 我爸), their sex; anyone when the patient wrote and said neither.

        >>> sorted(PatientFacts(who="老人家").population().ages), PatientFacts(sex="女").population().sex
        (['old'], '女')
        >>> pregnant = PatientFacts(who="您爱人", pregnant=True).population()
        >>> sorted(pregnant.ages), pregnant.sex
        (['middle', 'young'], '女')
        """
        ages = _CHILDBEARING if self.pregnant else _AGES_OF.get(self.who or "您", frozenset())
        sex = "女" if self.pregnant else as_sex(self.sex)
        return Population(ages if self.age is None else Population.of_age(self.age).ages, sex)


@dataclass(frozen=True)
class Reading:
    observations: tuple[Observation, ...] = ()
    facts: PatientFacts = field(default_factory=PatientFacts)
    mentions: tuple[Mention, ...] = ()
    answered_pending: bool = False
    asked_about: tuple[str, ...] = ()
    """The diseases and drugs the message asks about, reporting no complaint (:mod:`condition_question`):
    the symptoms that name them are not the patient's complaints."""


def read_message(
    linker: Linker,
    text: str,
    pending: Question | None,
    body_parts: Sequence[str] = (),
    locations: BodyLocations | None = None,
) -> Reading:
    """Observations and facts in one patient message, given the question it answers (if any). A symptom the
    message both says and denies is said (白天不咳晚上咳: :func:`~wenzhen.retrieval.kg.said_over_denied`).

    ``body_parts``: the graph's body-part names, longest first, to read an answer to a body-part question;
    ``locations``: everyday location words (右上腹, 心口), read wherever they come.
    """
    mentions = tuple(said_over_denied(linker.link(text)))
    diseases = {m: d for m in mentions if not m.negated and (d := linker.disease_named(m, text)) is not None}
    asking = asked_about(text, mentions, diseases)
    target = pending.target if pending is not None and pending.kind == "symptom" else None
    names = {target, *linker.names_of(target)} if target is not None else set()
    observations: list[Observation] = []
    answered = False
    for m in mentions:
        if m.label is not Label.SYMPTOM:
            continue
        sure = not m.doubtful
        if m.name == target:
            answered = True
            observations.append(Answered(m.name, not m.negated, sure))
            continue
        if target is not None and not m.negated and names & {m.name, m.surface}:  # 低烧 answers 有没有发热
            answered = True
            observations.append(Answered(target, True, sure))
        if m.negated:
            observations.append(Answered(m.name, False, sure))
        elif not asking:
            observations.append(Volunteered(m.name, sure))
    if pending is not None and not answered:
        if target is not None:
            others = [(m.start, m.end) for m in mentions if m.label is Label.SYMPTOM]
            closed = read_closed_answer(text, names, others)
            answered = closed is not None
            if closed is not None and closed.present is not None:
                observations.insert(0, Answered(target, closed.present, closed.certain))
        elif pending.kind == "body_part":
            observation = _where(text, pending.target, body_parts)
            if observation is not None:
                observations.insert(0, observation)
                answered = True
        elif pending.kind == "open":
            if any(isinstance(o, Volunteered) for o in observations):
                answered = True
            elif _NOTHING_ELSE.search(text):
                observations.append(NothingElse())
                answered = True
    placed = any(isinstance(o, BodyParts | BodyPartDenied | BodyPartUnknown) for o in observations)
    if locations is not None and not placed and (located := locations.find(text)) is not None:
        observations.append(located)
        answered = answered or (pending is not None and pending.kind == "body_part")
    return Reading(tuple(observations), _facts(text, mentions, diseases), mentions, answered, asking)


def _where(
    text: str, asked: str | None, body_parts: Sequence[str]
) -> BodyParts | BodyPartDenied | BodyPartUnknown | None:
    named, rest = [], text
    for part in body_parts:
        if part in rest:
            named.append(part)
            rest = rest.replace(part, "\0")
    if named:
        return BodyParts(tuple(sorted(named)))
    answer = read_closed_answer(text, ())  # 对 / 应该是 / 不是那儿 / 不清楚, as a closed question's
    if answer is not None and answer.present is None:
        return BodyPartUnknown()
    if asked is not None and answer is not None:
        return BodyParts((asked,)) if answer.present else BodyPartDenied(asked)
    return None


def _facts(text: str, mentions: tuple[Mention, ...], diseases: Mapping[Mention, str]) -> PatientFacts:
    """``diseases``: the disease each mention said names, where it names one (the patient's history)."""
    age = _AGE.search(text)
    baby = _BABY_AGE.search(text)
    sex = _SEX.search(text)
    duration = _DURATION.search(
        text if baby is None else text.replace(baby.group(), "\0" * len(baby.group()))
    )
    who, relative_sex = _who(text)
    return PatientFacts(
        age=number(next(filter(None, age.groups()))) if age else 0 if baby else None,
        sex=sex.group(1) if sex else relative_sex,
        duration=duration.group(1) if duration else None,
        history=tuple(dict.fromkeys(diseases.values())),
        medications=tuple(dict.fromkeys(m.name for m in mentions if taken(m, text))),
        who=who,
        pregnant=any(not negated_before(text, found.start()) for found in _PREGNANT.finditer(text)),
    )


def _relative_pattern(relative: Relative) -> re.Pattern[str]:
    """我爸, 我家孩子, 我72岁的老父亲; 孩子 on its own."""
    mine = [f"{_MINE}(?:{alternation(relative.mine)})"] if relative.mine else []
    return re.compile("|".join([*mine, *relative.alone]))


_RELATIVES = tuple((_relative_pattern(relative), relative) for relative in RELATIVES)


def _who(text: str) -> tuple[str, Sex | None]:
    """How to name the patient, and their sex if the words say: the relative the text is about, if one is
    named before the writer speaks of themselves (the longest name where two begin alike: 我妹夫, not 我妹),
    else 您 (sex unknown)."""
    named = [
        (found.start(), -len(found.group()), relative)
        for pattern, relative in _RELATIVES
        if (found := pattern.search(text))
    ]
    writer = _WRITER.search(text)
    first = min(named, key=lambda found: found[:2], default=None)
    if first is None or (writer is not None and writer.start() < first[0]):
        return "您", None
    return first[2].who, first[2].sex
