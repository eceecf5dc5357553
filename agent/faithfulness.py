"""Generated sentences checked against the numbered sources before a patient reads them.

>>> checker = SentenceChecker(
...     [("K1", "胆囊炎 相关症状 右上腹痛"), ("L1", "胆囊炎患者应低脂饮食，避免暴饮暴食。")],
...     names=lambda text: [("胆囊炎", "Disease")] if "胆囊炎" in text else [],
...     diseases={"胆囊炎"})
>>> verdict = checker.check("胆囊炎患者平时应低脂饮食。")
>>> verdict.kept, verdict.sources, with_markers(verdict.text, ["L1"])
(True, ('L1',), '胆囊炎患者平时应低脂饮食[L1]。')
>>> checker.check("不需要继续吃恩替卡韦了。").reason
'tells the patient to stop or change a medicine'

Markers are placed by attribution — a sentence carries the sources whose wording covers most of its own
(character bigrams), never because a model was asked to cite. A sentence is removed when it tells a patient
to stop or change a medicine, gives a dose, states a diagnosis the ranking is not confident of, names a
disease outside the differential, names a drug or procedure (those appear only in the answer's own "a doctor
may consider" part), or states a medical fact no source supports. A sentence naming nothing medical is kept
only as short general care advice (rest, diet, follow-up), without a marker.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass

from wenzhen.retrieval.kg import Mention
from wenzhen.retrieval.patterns import SENTENCE_ENDS

Names = Callable[[str], list[tuple[str, str]]]
"""Text -> the graph entities it names, as (name, label)."""

MIN_SUPPORT = 0.5
"""The share of a sentence's character bigrams a source must contain to support it."""
MIN_SHARED = 4
MAX_MARKERS = 2
GENERAL_CARE_CHARS = 24
"""The longest sentence kept as general care advice without a source (a longer one makes claims)."""
STOP_OR_CHANGE_MEDICINE = re.compile(
    r"停药|停用|停掉|停服|(?:不用|不需要|不必|无需|没必要)(?:再|继续)?(?:吃|服|用|打)|可以不(?:吃|服|用)|"
    r"(?:自行|自己)(?:减|加|换|调整)|减量|加量|减少(?:剂量|用量)|增加(?:剂量|用量)|换(?:成|用)(?:别的|其他)?药"
)
DOSE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:mg|毫克|μg|ug|微克|g\b|克|ml|mL|毫升|片|粒|丸|支|袋|单位|IU|u\b)|"
    r"(?:每[日天次]|一[日天])\s*[一二三四1-4]\s*次|[一二三四两1-4]次/[日天]"
)
CLAIMS_DIAGNOSIS = re.compile(r"您(?:患有|得了|患了|是)|确诊|肯定是|一定是|就是.{0,6}(?:病|炎|癌|症)")
GENERAL_CARE = re.compile(
    r"休息|饮食|清淡|戒烟|戒酒|饮酒|睡眠|作息|运动|情绪|心情|复查|随访|就医|就诊|遵医嘱|多喝水|补充水分|观察"
)
_SENTENCE = re.compile(f"[^{SENTENCE_ENDS}\n]+[{SENTENCE_ENDS}]*")
_KEPT_CHARS = re.compile(r"[\w\u4e00-\u9fff]")
_MODEL_MARKER = re.compile(r"\[(?:[KL]\d+|\d+)\]")
DRUG_OR_PROCEDURE = frozenset({"Drug", "Treatment"})
PROCEDURE = re.compile(
    r"[\u4e00-\u9fff]{0,6}(?:手术|术|疗法|化疗|放疗|切除|移植|介入|消融|穿刺|透析|靶向治疗|免疫治疗)"
)
"""Words that name a procedure or treatment, in or out of the graph ("经导管动脉化疗栓塞术"; not 栓塞 alone:
肺栓塞 is a disease)."""


def graph_names(link: Callable[[str], list[Mention]]) -> Names:
    """:data:`Names` from a graph linker: its entities (label values), and every procedure word."""

    def names(text: str) -> list[tuple[str, str]]:
        named = [(m.name, m.label.value) for m in link(text)]
        return named + [(found, "Treatment") for found in PROCEDURE.findall(text)]

    return names


def checked_stream(pieces: Iterable[str], checker: SentenceChecker) -> Iterator[Verdict]:
    """Generated text as it streams, one verdict per sentence as soon as the sentence is complete; markers
    the generator wrote itself are dropped (a marker comes from attribution only)."""
    buffer = ""
    for piece in pieces:
        buffer += piece
        *complete, buffer = _split_keeping_rest(buffer)
        for sentence in complete:
            yield checker.check(sentence)
    if buffer.strip():
        yield checker.check(_MODEL_MARKER.sub("", buffer).strip())


def _split_keeping_rest(text: str) -> list[str]:
    """Complete sentences of ``text`` (markers removed), then what follows the last sentence end."""
    cut = max(text.rfind(mark) for mark in SENTENCE_ENDS + "\n")
    if cut < 0:
        return [text]
    done, rest = text[: cut + 1], text[cut + 1 :]
    return [*split_sentences(_MODEL_MARKER.sub("", done)), rest]


def split_sentences(text: str) -> list[str]:
    """``text`` cut after 。！？；; and line ends, each sentence with its own punctuation."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def bigrams(text: str) -> set[str]:
    chars = "".join(_KEPT_CHARS.findall(text.lower()))
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


@dataclass(frozen=True)
class Verdict:
    text: str
    kept: bool
    sources: tuple[str, ...] = ()
    reason: str | None = None
    """Why it was removed."""


def with_markers(sentence: str, markers: Sequence[str]) -> str:
    body = sentence.rstrip(SENTENCE_ENDS)
    return body + "".join(f"[{m}]" for m in markers) + sentence[len(body) :]


class SentenceChecker:
    def __init__(
        self,
        sources: Sequence[tuple[str, str]],
        names: Names,
        diseases: Collection[str],
        confident: bool = False,
    ) -> None:
        """``sources``: (id, text) as numbered for the generator; ``diseases``: the differential's (and any
        the patient named); ``confident``: the ranking's leader may be stated as the likely cause."""
        self.sources = [(source_id, text, bigrams(text)) for source_id, text in sources]
        self.names = names
        self.diseases = set(diseases)
        self.confident = confident

    def attribute(self, sentence: str) -> tuple[str, ...]:
        """The sources supporting ``sentence``, best first (at most :data:`MAX_MARKERS`)."""
        own = bigrams(sentence)
        if len(own) < MIN_SHARED:
            return ()
        scored = [(len(own & grams) / len(own), source_id) for source_id, _, grams in self.sources]
        best = sorted((s for s in scored if s[0] >= MIN_SUPPORT), key=lambda s: -s[0])
        return tuple(source_id for _, source_id in best[:MAX_MARKERS])

    def check(self, sentence: str) -> Verdict:
        named = self.names(sentence)
        if STOP_OR_CHANGE_MEDICINE.search(sentence):
            return Verdict(sentence, False, reason="tells the patient to stop or change a medicine")
        if DOSE.search(sentence):
            return Verdict(sentence, False, reason="gives a dose")
        if CLAIMS_DIAGNOSIS.search(sentence) and not self.confident:
            return Verdict(sentence, False, reason="states a diagnosis the ranking is not confident of")
        if any(label == "Disease" and name not in self.diseases for name, label in named):
            return Verdict(sentence, False, reason="names a disease outside the differential")
        if any(label in DRUG_OR_PROCEDURE for _, label in named) or PROCEDURE.search(sentence):
            return Verdict(sentence, False, reason="names a drug or procedure")
        markers = self.attribute(sentence)
        if markers:
            return Verdict(sentence, True, markers)
        if named or re.search(r"\d", sentence):
            return Verdict(sentence, False, reason="states a medical fact no source supports")
        if GENERAL_CARE.search(sentence) and len(_KEPT_CHARS.findall(sentence)) <= GENERAL_CARE_CHARS:
            return Verdict(sentence, True)
        return Verdict(sentence, False, reason="says nothing a source or general care advice supports")
