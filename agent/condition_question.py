"""A message that asks about a condition the patient already knows of, rather than reporting a complaint.

>>> from wenzhen.kg_loader.schema import Label
>>> from wenzhen.retrieval.kg import EntityDictionary, Mention
>>> text = "高血压可以吃莲子吗？妈妈有高血压。"
>>> asked, diagnosed = (Mention("高血压", Label.SYMPTOM, start, start + 3, "高血压") for start in (0, 13))
>>> asked_about(text, [asked, diagnosed], {diagnosed: "高血压"})   # the diseases the mentions name
('高血压',)
>>> dizzy = Mention("头晕", Label.SYMPTOM, 7, 9, "头晕")
>>> asked_about("妈妈有高血压，头晕，怎么办？", [diagnosed, dizzy], {diagnosed: "高血压"})
()

Half of the questions people put to internal-medicine doctors online report no complaint: they ask about a
disease they (or a relative) have, a food or a drug (妈妈有高血压，高血压可以吃莲子吗？癫痫病能自愈吗？). Such
a message is answered, not inquired into: the inquiry would read 高血压 (a symptom of other diseases too) as
the complaint and ask where it hurts. It is one that names a disease or a drug, reports no symptom besides
names of diseases (a name the message says was diagnosed once is that disease throughout), and asks
something.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from wenzhen.kg_loader.schema import Label
from wenzhen.retrieval.kg import Mention

QUESTION = re.compile(
    r"[吗？?]|呢|什么|哪些|哪种|哪个|怎么|怎样|如何|咋|能否|可否|是否|能不能|可不可以|可以不|要不要|需不需要|"
    r"会不会|有没有用|多久|多少"
)
"""A question's marks (a sentence-final 吗, a question word), anywhere in the message."""


def asked_about(text: str, mentions: Sequence[Mention], diseases: Mapping[Mention, str]) -> tuple[str, ...]:
    """The diseases and drugs ``text`` asks about when it reports no complaint, in order; () when it reports
    one (a symptom said that names no disease), names nothing to ask about, or asks nothing. ``diseases``:
    the disease each mention said names, where it names one (``EntityDictionary.disease_named``)."""
    said = [m for m in mentions if not m.negated]
    by_surface = {m.surface: disease for m, disease in diseases.items()}
    if any(m.label is Label.SYMPTOM and m.surface not in by_surface for m in said):
        return ()
    named = [by_surface.get(m.surface) or (m.name if m.label is Label.DRUG else None) for m in said]
    conditions = tuple(dict.fromkeys(name for name in named if name is not None))
    return conditions if conditions and QUESTION.search(text) else ()
