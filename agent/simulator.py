"""A simulated patient with a hidden disease who answers truthfully from the knowledge graph.

>>> patient = SimulatedPatient(profile, opening="肝区疼痛", linker=kg, seed=0)      # doctest: +SKIP
>>> patient.opening_message()                                                       # doctest: +SKIP
'我最近肝区疼痛。'
>>> patient.answer("请问您有没有乏力的情况？")                                        # doctest: +SKIP
'有乏力。'

To an open question it names one symptom of the disease it has not mentioned yet (a seeded draw, "没有了"
when none is left); to a closed question about a symptom, yes or no; to a question about the body part or
the affected population, the KG value; "不清楚" to anything it cannot map to the graph. The profile's
symptoms are what the inquiry reasons over (symptom concepts). How the patient puts a symptom into words is
its ``speech``: the graph's terms (the default), or :class:`LayWords`, everyday phrasings from a file written
for the evaluation, with bare "有的。/没有。" answers to closed questions, or :class:`RelativeWords`, the same
phrasings told by a relative (我爸最近…, 孩子这几天…) who is not always sure (好像有, 应该没有吧).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import ClassVar

from wenzhen.agent.findings import Linker
from wenzhen.agent.population import ADULTHOOD, CHILDHOOD, Population
from wenzhen.core.errors import InputError
from wenzhen.core.files import decode_file
from wenzhen.kg_loader.schema import Label
from wenzhen.retrieval.kg import DiseaseProfile

_OPEN = re.compile(
    r"还有(?:哪些|什么|别的|其他)|其他(?:症状|不舒服)|别的(?:症状|不舒服)|哪些不舒服|什么不舒服"
)
_BODY_PART = re.compile(r"哪个部位|什么部位|哪里不舒服|哪儿不舒服|哪个地方|部位")
_POPULATION = re.compile(r"多大|年龄|年纪|人群|性别")
UNKNOWN = "不清楚。"
NOTHING_ELSE = "没有了。"


class LayWords:
    """Everyday words for symptom concepts, from a file written apart from the linker's lexicon:
    ``concept<TAB>phrasing、phrasing…`` a line. A concept without a line is said as it is.

    >>> words = LayWords({"腹泻": ("拉肚子", "拉稀")}, seed=0)
    >>> words.say("腹泻") in ("拉肚子", "拉稀"), words.say("乏力")
    (True, '乏力')
    """

    def __init__(self, phrasings: dict[str, tuple[str, ...]], seed: int | str = 0) -> None:
        self.phrasings = phrasings
        self.random = random.Random(f"lay:{seed}")

    @classmethod
    def read(cls, path: Path, seed: int | str = 0) -> LayWords:
        """The file's phrasings; a concept on two lines has both lines' (a bad line is an error naming it)."""
        phrasings: dict[str, tuple[str, ...]] = {}
        for number, line in enumerate(decode_file(path).text.splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            concept, sep, words = line.partition("\t")
            if not sep or not words.strip():
                raise InputError(f"{path}:{number}: expected concept<TAB>phrasing、phrasing…")
            name, said = concept.strip(), tuple(w.strip() for w in words.split("、") if w.strip())
            phrasings[name] = phrasings.get(name, ()) + said
        return cls(phrasings, seed)

    def say(self, concept: str) -> str:
        choices = self.phrasings.get(concept)
        return self.random.choice(choices) if choices else concept

    def opening(self, words: str) -> str:
        return f"我最近{words}。"

    def reply(self, symptom: str, has: bool) -> str:
        """A bare answer to a closed question about ``symptom``."""
        return "有的。" if has else "没有。"


class RelativeWords(LayWords):
    """:class:`LayWords` told by a relative, who answers closed questions less surely and in their own way:
    not only 有的 / 没有, but 当然有, 这个倒没有, or the symptom said back in everyday words.

    >>> words = RelativeWords({"腹泻": ("拉肚子",)}, seed=0)
    >>> words.opening("拉肚子")[-4:], [words.reply("腹泻", False) for _ in range(6)][3:]
    ('拉肚子。', ['没有拉肚子。', '那倒没有。', '拉肚子倒是没有。'])
    """

    OPENINGS: ClassVar[dict[str, Population]] = {
        "我爸最近": Population(ADULTHOOD, "男"),
        "我妈这几天": Population(ADULTHOOD, "女"),
        "孩子这两天": Population(CHILDHOOD),
        "我老婆最近": Population(ADULTHOOD, "女"),
        "家里老人最近": Population(frozenset({"old"})),
    }
    """How a relative opens, and who the patient then is."""
    YES = ("有的。", "有。", "好像有。", "有点。", "应该有吧。", "确实有。", "对，{}。", "嗯，{}。")
    NO = ("没有。", "没有的。", "好像没有。", "应该没有吧。", "那倒没有。", "没有{}。", "{}倒是没有。")
    """Replies; ``{}``: the symptom in everyday words."""

    def __init__(
        self,
        phrasings: dict[str, tuple[str, ...]],
        seed: int | str = 0,
        population: Population | None = None,
    ) -> None:
        """``population``: the disease's (``read_population``): the relative writes for someone in it (a
        child for a children's disease); any relative when it names no one or no opening fits."""
        super().__init__(phrasings, seed)
        patients = population or Population()
        self.openings = [o for o, who in self.OPENINGS.items() if patients.fits(who)] or list(self.OPENINGS)

    def opening(self, words: str) -> str:
        return f"{self.random.choice(self.openings)}{words}。"

    def reply(self, symptom: str, has: bool) -> str:
        return self.random.choice(self.YES if has else self.NO).format(self.say(symptom))


class GraphTerms:
    """Says a symptom by its name in the graph, and answers closed questions naming it ("有乏力。")."""

    def say(self, concept: str) -> str:
        return concept

    def opening(self, words: str) -> str:
        return f"我最近{words}。"

    def reply(self, symptom: str, has: bool) -> str:
        return f"有{symptom}。" if has else f"没有{symptom}。"


Speech = LayWords | GraphTerms


def lay_patient_path() -> Path:
    """The everyday phrasings the evaluation's lay patients use (``agent/data/lay_patient.tsv``)."""
    return Path(str(resources.files("wenzhen.agent.data") / "lay_patient.tsv"))


@dataclass(frozen=True)
class Case:
    """A simulated consultation: the hidden disease and the symptom the patient opens with."""

    disease: str
    opening_symptom: str


class SimulatedPatient:
    def __init__(
        self,
        profile: DiseaseProfile,
        opening: str,
        linker: Linker,
        seed: int | str = 0,
        speech: Speech | None = None,
    ) -> None:
        self.profile = profile
        self.opening = opening
        self.linker = linker
        self.speech: Speech = speech or GraphTerms()
        self.mentioned = {opening}
        self.random = random.Random(f"{seed}:{profile.disease}")

    def opening_message(self) -> str:
        return self.speech.opening(self.speech.say(self.opening))

    def answer(self, question: str) -> str:
        symptoms = [m.name for m in self.linker.link(question) if m.label is Label.SYMPTOM]
        if symptoms:
            asked = symptoms[0]
            has = asked in self.profile.symptoms
            if has:
                self.mentioned.add(asked)
            return self.speech.reply(asked, has)
        if _OPEN.search(question):
            left = sorted(set(self.profile.symptoms) - self.mentioned)
            if not left:
                return NOTHING_ELSE
            named = self.random.choice(left)
            self.mentioned.add(named)
            return f"还有{self.speech.say(named)}。"
        if _BODY_PART.search(question):
            return "、".join(self.profile.body_parts) + "。" if self.profile.body_parts else UNKNOWN
        if _POPULATION.search(question):
            return f"{self.profile.population}。" if self.profile.population else UNKNOWN
        return UNKNOWN
