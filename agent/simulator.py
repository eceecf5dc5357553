"""A simulated patient with a hidden disease who answers truthfully from the knowledge graph.

>>> patient = SimulatedPatient(profile, opening="肝区疼痛", linker=kg, seed=0)      # doctest: +SKIP
>>> patient.opening_message()                                                       # doctest: +SKIP
'我最近肝区疼痛。'
>>> patient.answer("请问您有没有乏力的情况？")                                        # doctest: +SKIP
'有乏力。'

To an open question it names one KG symptom of the disease it has not mentioned yet (a seeded draw, "没有了"
when none is left); to a closed question about a symptom, yes or no; to a question about the body part or
the affected population, the KG value; "不清楚" to anything it cannot map to the graph.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from wenzhen.agent.findings import Linker
from wenzhen.kg_loader.schema import Label
from wenzhen.retrieval.kg import DiseaseProfile

_OPEN = re.compile(
    r"还有(?:哪些|什么|别的|其他)|其他(?:症状|不舒服)|别的(?:症状|不舒服)|哪些不舒服|什么不舒服"
)
_BODY_PART = re.compile(r"哪个部位|什么部位|哪里不舒服|哪儿不舒服|哪个地方|部位")
_POPULATION = re.compile(r"多大|年龄|年纪|人群|性别")
UNKNOWN = "不清楚。"
NOTHING_ELSE = "没有了。"


@dataclass(frozen=True)
class Case:
    """A simulated consultation: the hidden disease and the symptom the patient opens with."""

    disease: str
    opening_symptom: str


class SimulatedPatient:
    def __init__(self, profile: DiseaseProfile, opening: str, linker: Linker, seed: int | str = 0) -> None:
        self.profile = profile
        self.opening = opening
        self.linker = linker
        self.mentioned = {opening}
        self.random = random.Random(f"{seed}:{profile.disease}")

    def opening_message(self) -> str:
        return f"我最近{self.opening}。"

    def answer(self, question: str) -> str:
        symptoms = [m.name for m in self.linker.link(question) if m.label is Label.SYMPTOM]
        if symptoms:
            asked = symptoms[0]
            if asked in self.profile.symptoms:
                self.mentioned.add(asked)
                return f"有{asked}。"
            return f"没有{asked}。"
        if _OPEN.search(question):
            left = sorted(set(self.profile.symptoms) - self.mentioned)
            if not left:
                return NOTHING_ELSE
            named = self.random.choice(left)
            self.mentioned.add(named)
            return f"还有{named}。"
        if _BODY_PART.search(question):
            return "、".join(self.profile.body_parts) + "。" if self.profile.body_parts else UNKNOWN
        if _POPULATION.search(question):
            return f"{self.profile.population}。" if self.profile.population else UNKNOWN
        return UNKNOWN
