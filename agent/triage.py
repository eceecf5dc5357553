"""Red-flag triage: every patient message is checked, with the conversation before it, before anything else.

>>> triage = Triage.load()
>>> triage.check(["我胸口痛得厉害，还一直出冷汗"]).rule.id
'chest_pain_danger'
>>> triage.check(["我胸口有点痛", "刚才开始出冷汗了"]).rule.id         # across turns
'chest_pain_danger'
>>> triage.check(["没有胸痛，也不出汗，就是有点咳嗽"]) is None
True
>>> triage.check(["我胸口痛"]).rule.level                              # ask before answering
'screen'

The rules are data (``agent/data/red_flags.toml``, documented in ``docs/TRIAGE.md``). A rule fires when each
of its term groups has a term, not negated, in one of the patient's messages that has none of the rule's
``unless`` terms; for emergency and urgent rules, not in a clause about the past, a habit or a
supposition (the file's ``not_now`` cues: 以前, 每次发作时, 如果 …). A term may hold ``*`` gaps:
``嘴*歪`` is 嘴, then 歪 within a few characters of the same clause. Text is compared after folding
full-width forms, case and a few variant characters (蛰 → 蜇). The most urgent level wins:
``emergency`` (call 120 now, with what to do and not do while waiting), then ``urgent`` (see a doctor
today; the consultation goes on), then ``screen`` (a symptom that can be an emergency: its ``ask``
question rules the red flags in or out before any answer; a yes makes it an emergency).
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

from wenzhen.agent.triage_semantic import SemanticTriage
from wenzhen.core.errors import InputError
from wenzhen.retrieval.config import RetrievalSettings
from wenzhen.retrieval.negation import negated_before
from wenzhen.retrieval.patterns import CLAUSE, compile_term, cuts_words, fold

_log = logging.getLogger(__name__)
Level = Literal["emergency", "urgent", "screen"]
LEVELS: tuple[Level, ...] = ("emergency", "urgent", "screen")
Over = Literal["seen", "recent"]
"""Why an emergency told is over: a doctor has since seen it, or it was a fit or a faint of the last days."""
SEMANTIC_TURNS = 3
"""The meaning layer reads the patient's last few messages together."""
QUOTED_CHARS = 30
"""An emergency the meaning layer found quotes this much of the message as what showed it."""
_LATIN_WORD = re.compile(r"[a-z]{2,}")
ENGLISH_WORDS = 3
"""A message with this many Latin words is (also) English; a Chinese one may name CT, MRI or B超."""


_SENTENCE = re.compile(r"[^。！？!?\n]+")


def without_past_clauses(
    text: str, past: Sequence[str], now: Sequence[str] = (), again: Sequence[str] = ()
) -> str:
    """``text`` with the clauses that speak of the past, a habit or a supposition blanked out: from a clause
    with a ``past`` cue to the end of its sentence, unless a later clause there has a ``now`` cue (a seizure
    "每次发作的时候" and "如果吐血" are not happening now; "以前晕倒过，今天又晕倒了" is) or an ``again``
    cue, which speaks of now only in a clause with no ``past`` cue ("以前晕倒过，又晕倒了"; but
    "又有的时候会浑身抽").

    >>> without_past_clauses("每次发作都口吐白沫，抽搐几分钟。今天又抽了", ["每次"], ["今天"])
    '         ，     。今天又抽了'
    >>> without_past_clauses("吃东西又经常冒冷汗", ["经常"], ["今天"], ["又"]).strip()
    ''
    """

    def sentence(match: re.Match[str]) -> str:
        blanking = False

        def clause(part: re.Match[str]) -> str:
            nonlocal blanking
            words = part.group()
            if any(cue in words for cue in now):
                blanking = False
            elif any(cue in words for cue in past):
                blanking = True
            elif any(cue in words for cue in again):
                blanking = False
            return " " * len(words) if blanking else words

        return CLAUSE.sub(clause, match.group())

    return _SENTENCE.sub(sentence, text)


ASK_BEFORE = 8
"""An asking cue counts for a seen cue when it ends at most this many characters before it (要不要马上送
医院)…"""
ASK_AFTER = 3
"""…or begins within this many after it (送医院了吗, 送医院的路上); a question asked elsewhere in a long
run-on clause (…带到医院仔细检查医生说是癫痫您好癫痫病如何才能自愈) does not."""


def seen_until(text: str, seen: Sequence[re.Pattern[str]], asking: Sequence[str]) -> int:
    """Where the last clause of ``text`` that tells a doctor has since seen what came before it (送到医院,
    医生说是…, 住院) ends, or 0: the emergency told before it is over, or in hands; what follows still counts.
    A clause that asks or plans it (``asking``: 要不要送医院, 想尽快送去, 正在送医院的路上) tells nothing.

    >>> seen = [compile_term("{送|带}*医院"), compile_term("医生*说")]
    >>> seen_until("突然晕倒，送到医院，医生说是癫痫。能治好吗", seen, ["要不要", "吗"])
    16
    >>> seen_until("突然晕倒，要不要送医院", seen, ["要不要"])
    0
    """
    told = [
        clause.end()
        for clause in CLAUSE.finditer(text)
        if any(_told(clause.group(), found, asking) for cue in seen for found in cue.finditer(clause.group()))
    ]
    return told[-1] if told else 0


def _told(clause: str, found: re.Match[str], asking: Sequence[str]) -> bool:
    near = clause[max(0, found.start() - ASK_BEFORE) : found.end() + ASK_AFTER]
    return not any(cue in near for cue in asking)


@dataclass(frozen=True)
class RedFlagRule:
    """One red flag: the words that show it, how urgent it is, what to do and not do."""

    id: str
    name: str
    name_en: str
    level: Level
    groups: tuple[tuple[str, ...], ...]
    do: tuple[str, ...] = ()
    dont: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    ask: str | None = None
    any_time: bool = False
    """Reads clauses about the past, a habit or a supposition too: a wish to die is a risk however told."""
    episodic: bool = False
    """Over once told (a fit, a faint): an emergency told of the last days (前两天, 昨天) is a notice; an
    urgent one a doctor has since seen needs none."""
    patterns: tuple[tuple[re.Pattern[str], ...], ...] = field(default=(), compare=False, repr=False)
    unless_patterns: tuple[re.Pattern[str], ...] = field(default=(), compare=False, repr=False)

    def match(self, messages: Sequence[str]) -> tuple[str, ...] | None:
        """The words that matched, one per group, or None. ``messages`` are folded, oldest first."""
        usable = [m for m in messages if not any(p.search(m) for p in self.unless_patterns)]
        found = []
        for group in self.patterns:
            word = next((w for m in reversed(usable) if (w := _first_affirmed(m, group))), None)
            if word is None:
                return None
            found.append(word)
        return tuple(found)


@dataclass(frozen=True)
class TriageResult:
    rule: RedFlagRule
    matched: tuple[str, ...]
    english: bool = False
    """The patient wrote (also) in English: the reply says it in English too."""
    over: Over | None = None
    """An emergency that is over (a doctor has since seen it: …送到医院，医生说是癫痫; or a fit or faint
    of the last days: 前两天突然晕倒): a notice, and the question answered."""

    @property
    def level(self) -> Level:
        return "urgent" if self.over else self.rule.level

    def to_dict(self) -> dict[str, object]:
        """As the session state keeps it (``Triage.result`` reads it back)."""
        return {
            "rule": self.rule.id,
            "matched": list(self.matched),
            "english": self.english,
            "over": self.over,
        }

    def reply_text(self) -> str:
        """What the patient is told: why (the red flag, the words that showed it), where to go, what to do."""
        rule, seen = self.rule, "、".join(dict.fromkeys(self.matched))
        if rule.level == "screen":
            return rule.ask or ""
        if self.over == "seen":
            head = (
                f"【请留意】您描述的情况（{seen}）是{rule.name}的急症信号。您说已经看过医生：请按医嘱治疗和复诊；"
                f"{_AGAIN}"
            )
        elif self.over == "recent":
            head = (
                f"【请今天就医】您描述的情况（{seen}）是{rule.name}的急症信号。虽然已经过去，仍要查明原因："
                f"请今天就到医院当面诊治；{_AGAIN}"
            )
        elif rule.level == "emergency":
            head = (
                f"【急症】您描述的情况（{seen}）提示可能是{rule.name}，属于急症信号。"
                "请立即拨打 120 急救电话，或马上到最近医院的急诊科就诊，不要等待线上回复。"
            )
        else:
            head = (
                f"【请今天就医】您描述的情况（{seen}）提示{rule.name}，"
                "建议今天就到医院当面诊治，不要在家观察。"
            )
        lines = [head]
        if rule.do:
            lines.append(("再次出现时请：" if self.over else "现在请：") + "；".join(rule.do) + "。")
        if rule.dont:
            lines.append("请不要：" + "；".join(rule.dont) + "。")
        if self.english:
            lines.append(_english(rule, self.over))
        return "\n".join(lines)


_AGAIN = "如果再次出现，请立即拨打 120 急救电话，或马上到最近医院的急诊科就诊。"
_AGAIN_EN = (
    "if it happens again call an ambulance (120 in mainland China) or go to the nearest emergency department."
)


def _english(rule: RedFlagRule, over: Over | None) -> str:
    if over == "seen":
        return (
            f"That was a sign of an emergency ({rule.name_en}). You say a doctor has seen it: follow their "
            f"advice, and {_AGAIN_EN}"
        )
    if over == "recent":
        return (
            f"That was a sign of an emergency ({rule.name_en}). It has passed, but its cause must be found: "
            f"see a doctor in person today, and {_AGAIN_EN}"
        )
    if rule.level == "emergency":
        return (
            f"This may be an emergency ({rule.name_en}). Call an ambulance now (120 in mainland China, or "
            "your local emergency number) or go to the nearest emergency department; do not wait for an "
            "online reply."
        )
    return f"This needs a doctor today ({rule.name_en}): please see one in person today, not wait at home."


@dataclass(frozen=True)
class MeaningLayer:
    """The meaning layer and the encoder of the embedding model it was trained on."""

    model: SemanticTriage
    encode: Callable[[str], Any]


def meaning_layer(settings: RetrievalSettings, embedder: Any | None = None) -> MeaningLayer | None:
    """The shipped meaning layer over ``embedder`` (default: the configured one), or None when the configured
    embedding model is not the one it was trained on (triage then runs on its rules alone)."""
    from wenzhen.retrieval.embedder import QueryEncoder, load_query_embedder
    from wenzhen.retrieval.indexer import model_name

    model = SemanticTriage.load()
    if model_name(settings) != model.embedder:
        _log.warning(
            "triage: no meaning layer for embedder %s (trained on %s)", model_name(settings), model.embedder
        )
        return None
    return MeaningLayer(
        model, QueryEncoder(embedder if embedder is not None else load_query_embedder(settings))
    )


def semantic_text(messages: Sequence[str]) -> str:
    """What the meaning layer reads: the patient's last few messages, joined."""
    return "；".join(" ".join(text.split()) for text in messages[-SEMANTIC_TURNS:] if text.strip())


@dataclass(frozen=True)
class TimeCues:
    """The cue lists of ``red_flags.toml`` that tell when what a clause says happened, and whether it is over
    (``docs/TRIAGE.md``)."""

    not_now: tuple[str, ...] = ()
    """A clause about the past, a habit or a supposition: emergency and urgent rules skip it…"""
    now: tuple[str, ...] = ()
    """…until a clause of the same sentence speaks of now…"""
    again: tuple[str, ...] = ()
    """…or says it happens again (又), in a clause with no cue of the past (又有的时候会浑身抽 is a habit)."""
    seen: tuple[str, ...] = ()
    """A clause telling a doctor has since seen what came before it (``*`` terms)…"""
    asking: tuple[str, ...] = ()
    """…unless the clause asks or plans (要不要送医院)."""
    recent: tuple[str, ...] = ()
    """A clause of the last days (前两天, 昨天): an episodic rule's emergency told there is over…"""
    still: tuple[str, ...] = ()
    """…until a clause of the same sentence says it goes on or is back (现在, 还在, 今天)."""


@dataclass(frozen=True)
class _Readings:
    """The patient's messages (folded, oldest first) as each kind of rule reads them."""

    whole: list[str]
    """Every clause: screening and ``any_time`` rules."""
    now: list[str]
    """Clauses about the past, a habit or a supposition out: urgent rules."""
    unseen: list[str]
    """And what a doctor has since seen: emergency rules."""
    current: list[str]
    """And the last days' clauses: episodic emergency rules (a fit, a faint)."""


class Triage:
    def __init__(
        self, rules: list[RedFlagRule], cues: TimeCues = TimeCues(), meaning: MeaningLayer | None = None
    ) -> None:
        if not rules:
            raise InputError("no red-flag rules")
        self.rules = sorted(rules, key=lambda rule: LEVELS.index(rule.level))
        self.cues = cues
        """Folded, as the text they are compared with."""
        self.seen = tuple(compile_term(cue) for cue in cues.seen)
        self.by_id = {rule.id: rule for rule in rules}
        self.meaning = meaning
        """Names an emergency no rule term matched (None: rules only)."""

    @classmethod
    def load(
        cls, path: Path | None = None, symptoms: Iterable[str] = (), meaning: MeaningLayer | None = None
    ) -> Triage:
        """Rules from ``path`` (default: the packaged red_flags.toml), groups widened with KG ``symptoms``,
        and the ``meaning`` layer if given."""
        if path is None:
            text = (
                resources.files("wenzhen.agent.data").joinpath("red_flags.toml").read_text(encoding="utf-8")
            )
            where = "agent/data/red_flags.toml"
        else:
            text, where = path.read_text(encoding="utf-8"), str(path)
        names = sorted(set(symptoms))
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise InputError(f"{where}: not valid TOML: {err}") from err
        rules = [_rule(where, number, raw, names) for number, raw in enumerate(data.get("rule", []), start=1)]
        cues = TimeCues(*(tuple(fold(str(c)) for c in _list(data.get(f.name, []))) for f in fields(TimeCues)))
        return cls(rules, cues, meaning)

    def check(self, messages: str | Sequence[str]) -> TriageResult | None:
        """The most urgent red flag the patient's messages (oldest first, the newest last) show, or None: an
        emergency rule, else the meaning layer's emergency, else an urgent or a screening rule."""
        texts = [messages] if isinstance(messages, str) else list(messages)
        folded = [fold(text) for text in texts]
        now = [self._now(text) for text in folded]
        unseen = [self._unseen(whole, text) for whole, text in zip(folded, now, strict=True)]
        current = [without_past_clauses(text, self.cues.recent, self.cues.still) for text in unseen]
        readings = _Readings(folded, now, unseen, current)
        english = bool(texts) and len(_LATIN_WORD.findall(folded[-1])) >= ENGLISH_WORDS
        found: TriageResult | None = None
        for rule in self.rules:
            result = self._by_rule(rule, readings, english)
            if result is not None and (
                found is None or LEVELS.index(result.level) < LEVELS.index(found.level)
            ):
                found = result
                if found.level == "emergency":
                    return found
        named = self._by_meaning(texts, now, english)
        if named is not None:
            named = replace(named, over=_over(named.rule, readings))
        return named or found

    @staticmethod
    def _by_rule(rule: RedFlagRule, readings: _Readings, english: bool) -> TriageResult | None:
        """What ``rule`` finds: a screening rule reads every clause, an ``any_time`` one too; an urgent one
        what is happening now (an episodic one, and no doctor has since seen); an emergency one what is
        happening now and no doctor has since seen (an episodic one, nor told of the last days), and an
        emergency found only in what is over is a notice."""
        if rule.level == "screen" or rule.any_time:
            matched = rule.match(readings.whole)
            return None if matched is None else TriageResult(rule, matched, english)
        if rule.level != "emergency":
            matched = rule.match(readings.unseen if rule.episodic else readings.now)
            return None if matched is None else TriageResult(rule, matched, english)
        read: list[str] = []
        for over, texts in _tiers(rule, readings):
            if texts != read and (matched := rule.match(texts)) is not None:
                return TriageResult(rule, matched, english, over)
            read = texts
        return None

    def warning(self, symptom: str) -> tuple[str, Level] | None:
        """The emergency or urgent red flag (name, level) a symptom said alone is ("有呕血"), by the rules
        only: what an answer lists as a reason to see a doctor now."""
        said = [fold(f"有{symptom}")]
        for rule in self.rules:
            if rule.level != "screen" and rule.match(said) is not None:
                return rule.name, rule.level
        return None

    def meaning_text(self, messages: Sequence[str]) -> str:
        """What the meaning layer reads of the patient's messages: the last few, folded, past clauses out."""
        return semantic_text([self._now(fold(text)) for text in messages])

    def _unseen(self, folded: str, now: str) -> str:
        """``now`` blanked up to the last clause telling a doctor has seen it, wherever that clause is told
        (当时我们叫来救护车送她去医院: a clause about the past too)."""
        until = seen_until(folded, self.seen, self.cues.asking)
        return " " * until + now[until:]

    def _now(self, folded: str) -> str:
        return without_past_clauses(folded, self.cues.not_now, self.cues.now, self.cues.again)

    def _by_meaning(self, texts: list[str], now: list[str], english: bool) -> TriageResult | None:
        """The emergency the meaning layer names in the patient's messages, if any."""
        text = semantic_text(now)
        if self.meaning is None or not text:
            return None
        prediction = self.meaning.model.predict(self.meaning.encode(text))
        if prediction is None or prediction[0] not in self.by_id:
            return None
        said = " ".join(texts[-1].split())
        quoted = said if len(said) <= QUOTED_CHARS else said[:QUOTED_CHARS] + "…"
        return TriageResult(self.by_id[prediction[0]], (quoted,), english)

    def result(self, stored: dict[str, Any]) -> TriageResult:
        """A result kept in the session state (``TriageResult.to_dict``)."""
        rule = self.by_id[stored["rule"]]
        kept = stored.get("over") or ("seen" if stored.get("seen") else None)  # "seen": kept before "over"
        over = next((kind for kind in get_args(Over) if kind == kept), None)
        return TriageResult(rule, tuple(stored["matched"]), bool(stored["english"]), over)

    def escalate(self, screened: TriageResult) -> TriageResult:
        """The screening question of ``screened`` answered yes: the red flag it asked about is there."""
        rule = screened.rule
        emergency = RedFlagRule(
            rule.id, rule.name, rule.name_en, "emergency", rule.groups, rule.do, rule.dont
        )
        return TriageResult(emergency, (*screened.matched, "并有所问的危险征象"), screened.english)


def _tiers(rule: RedFlagRule, readings: _Readings) -> list[tuple[Over | None, list[str]]]:
    """What an emergency rule reads, first what makes an emergency, then what makes a notice."""
    if rule.episodic:
        return [(None, readings.current), ("recent", readings.unseen), ("seen", readings.now)]
    return [(None, readings.unseen), ("seen", readings.now)]


def _over(rule: RedFlagRule, readings: _Readings) -> Over | None:
    """Whether the meaning layer's emergency is over: the last message tells a doctor has since seen
    something, or, for an episodic rule, tells of the last days."""
    if readings.unseen[-1] != readings.now[-1]:
        return "seen"
    return "recent" if rule.episodic and readings.current[-1] != readings.unseen[-1] else None


def _rule(where: str, number: int, raw: dict[str, object], symptoms: list[str]) -> RedFlagRule:
    missing = [key for key in ("id", "name", "name_en", "all") if key not in raw]
    if missing:
        raise InputError(f"{where}: rule {number}: missing {', '.join(missing)}")
    rule_id = str(raw["id"])
    level = next((known for known in LEVELS if known == raw.get("level", "emergency")), None)
    if level is None:
        raise InputError(
            f"{where}: rule {rule_id}: level {raw.get('level')!r} is not one of {', '.join(LEVELS)}"
        )
    groups = [[str(term) for term in _list(group)] for group in _list(raw["all"])]
    for i, substrings in enumerate(_list(raw.get("kg_contains", []))):
        if i >= len(groups):
            raise InputError(f"{where}: rule {rule_id}: kg_contains has more groups than all")
        wanted = [str(s) for s in _list(substrings)]
        groups[i] += [n for n in symptoms if any(s in n for s in wanted) and n not in groups[i]]
    if not groups or not all(groups):
        raise InputError(f"{where}: rule {rule_id}: an empty term group")
    if level == "screen" and not raw.get("ask"):
        raise InputError(f"{where}: rule {rule_id}: a screen rule needs the question to ask (ask)")
    for flag in ("any_time", "episodic"):
        if not isinstance(raw.get(flag, False), bool):
            raise InputError(f"{where}: rule {rule_id}: {flag} is true or false, not {raw[flag]!r}")
    unless = tuple(str(term) for term in _list(raw.get("unless", [])))
    try:
        patterns = tuple(tuple(compile_term(term) for term in group) for group in groups)
        unless_patterns = tuple(compile_term(term) for term in unless)
    except ValueError as err:
        raise InputError(f"{where}: rule {rule_id}: {err}") from err
    return RedFlagRule(
        rule_id,
        str(raw["name"]),
        str(raw["name_en"]),
        level,
        tuple(map(tuple, groups)),
        tuple(str(x) for x in _list(raw.get("do", []))),
        tuple(str(x) for x in _list(raw.get("dont", []))),
        unless,
        str(raw["ask"]) if raw.get("ask") else None,
        bool(raw.get("any_time", False)),
        bool(raw.get("episodic", False)),
        patterns,
        unless_patterns,
    )


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _first_affirmed(text: str, patterns: tuple[re.Pattern[str], ...]) -> str | None:
    """The first term of a group found in ``text`` without a negation right before it, no piece of it
    beginning or ending inside a word (查出血压高: no 出血)."""
    for pattern in patterns:
        for found in pattern.finditer(text):
            if not negated_before(text, found.start(), max_gap=0) and not cuts_words(text, found):
                return found.group()
    return None
