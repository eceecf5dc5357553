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
names of diseases (a name the message says was diagnosed once is that disease throughout; a
symptom named after one of them, 癫痫发作 or 顽固性高血压, is that disease too), and asks
something. A drug it asks about is not one the patient takes (:func:`taken`): 心脏病的人可以用滴通鼻炎水吗 is
no report of taking it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from wenzhen.kg_loader.schema import Label
from wenzhen.retrieval.kg import Mention
from wenzhen.retrieval.patterns import CLAUSE_ENDS

QUESTION = re.compile(
    r"[吗？?]|呢|什么|哪些|哪种|哪个|怎么|怎样|如何|咋|能否|可否|是否|能不能|可不可以|可以不|要不要|需不需要|"
    r"会不会|有没有用|多久|多少"
)
"""A question's marks (a sentence-final 吗, a question word), anywhere in the message."""


_TAKE = r"(?:吃|服用?|用|打|输|涂|抹|喷|贴|喝)"
_TAKING = re.compile(rf"(?:(?:在|正在|一直在?|经常|长期|每天|天天|按时|坚持){_TAKE}|{_TAKE}[了过着]).{{,6}}$")
"""A drug's taking told as done, just before its name in its clause: 在吃, 一直用, 吃了 (两天的)."""
_CLAUSE_END = re.compile(f"[{CLAUSE_ENDS}]")
_SUPPOSED = re.compile(r"如果|假如|要是|可以|可不可以|能不能|能否|能|想|打算|准备|适合|是否|该不该|要不要")
"""Words that make a drug's taking supposed, not done: 如果经常服用X, 可以改服用X, 想给她吃X."""
_REACH = 8
"""How far before a drug's name (or its taking) the words that suppose it are looked for."""
_ASKED_AFTER = re.compile(rf"{QUESTION.pattern}|可以|能|效果|管用|有效|有用|作用|依赖|用法|用量")
"""Words after a drug's name, in its clause, that ask about it: X能吃吗, X效果如何, X有没有依赖性."""


def taken(mention: Mention, text: str) -> bool:
    """Whether ``mention`` is a drug ``text`` says is taken, rather than one it asks about: a drug named
    beside a complaint is taken (吃了布洛芬, 医生开了蒙脱石散), unless its clause supposes the taking or asks
    about the drug.

    >>> from wenzhen.kg_loader.schema import Label
    >>> drug = lambda text: Mention("布洛芬", Label.DRUG, (at := text.index("布")), at + 3, "布洛芬")
    >>> said = ("发烧，口服布洛芬后退了", "我在吃布洛芬，能喝酒吗", "头疼可以吃布洛芬吗", "布洛芬效果怎么样")
    >>> [taken(drug(text), text) for text in said]
    [True, True, False, False]
    """
    if mention.label is not Label.DRUG or mention.negated:
        return False
    clause = _CLAUSE_END.split(text[: mention.start])[-1]
    done = _TAKING.search(clause)
    if done is not None:
        return not _SUPPOSED.search(clause[max(0, done.start() - _REACH) : done.start()])
    after = _CLAUSE_END.split(text[mention.end :], maxsplit=1)[0]
    return not (_SUPPOSED.search(clause[-_REACH:]) or _ASKED_AFTER.search(after))


def asked_about(text: str, mentions: Sequence[Mention], diseases: Mapping[Mention, str]) -> tuple[str, ...]:
    """The diseases and drugs ``text`` asks about when it reports no complaint, in order; () when it reports
    one (a symptom said that names no disease), names nothing to ask about, or asks nothing. ``diseases``:
    the disease each mention said names, where it names one (``EntityDictionary.disease_named``)."""
    said = [m for m in mentions if not m.negated]
    by_surface = {m.surface: disease for m, disease in diseases.items()}
    signs = [m for m in said if m.label is Label.SYMPTOM and m.surface not in by_surface]
    by_surface |= {m.surface: d for m in signs if (d := _named_after(m.surface, by_surface)) is not None}
    if any(m.label is Label.SYMPTOM and m.surface not in by_surface for m in said):
        return ()
    named = [by_surface.get(m.surface) or (m.name if m.label is Label.DRUG else None) for m in said]
    conditions = tuple(dict.fromkeys(name for name in named if name is not None))
    return conditions if conditions and QUESTION.search(text) else ()


def _named_after(surface: str, by_surface: Mapping[str, str]) -> str | None:
    """The disease a symptom's name is made from, of those the message names (the longest name first): the
    disease itself, told by one of its signs (癫痫发作 for 癫痫, 顽固性高血压 for 高血压).

    >>> _named_after("癫痫发作", {"癫痫": "癫痫"}), _named_after("头痛", {"偏头痛": "偏头痛"})
    ('癫痫', None)
    """
    made_from = [name for name in by_surface if name in surface]
    return by_surface[max(made_from, key=len)] if made_from else None
