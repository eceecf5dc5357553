"""Who has a disease, and who the patient is: age bands and sex, compared.

>>> men = read_population("中老年男性")
>>> sorted(men.ages), men.sex, sorted(Population.of_age(6).ages)
(['middle', 'old'], '男', ['child'])
>>> read_population("所有人群") == Population(), read_population("孕妇").sex
(True, '女')

A disease's population is the graph's 多发群体 text (儿童, 中老年人, 妊娠期女性, 所有人群 …), read by its
words, where the disease is common; or its name's first word (小儿肺炎, 新生儿黄疸, 老年人便秘, 妊娠高血压),
who alone has it (``certain``). A patient's comes from what the consultation knows of them (an age, a sex,
我爸 or 孩子). A population that names no age band (or no sex) says nothing of it: anyone.

>>> read_population("所有人群", "小儿急性小脑") == Population(CHILDHOOD, certain=True)
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal, get_args

from wenzhen.agent.numerals import YEARS, number
from wenzhen.retrieval.relatives import Sex

AgeBand = Literal["newborn", "infant", "child", "adolescent", "young", "middle", "old"]
AGE_BANDS: tuple[AgeBand, ...] = get_args(AgeBand)

CHILDHOOD: frozenset[AgeBand] = frozenset({"newborn", "infant", "child", "adolescent"})
ADULTHOOD: frozenset[AgeBand] = frozenset({"young", "middle", "old"})

_AGE_WORDS: tuple[tuple[str, frozenset[AgeBand]], ...] = (
    ("新生儿|早产儿", frozenset({"newborn"})),
    ("婴", frozenset({"newborn", "infant"})),
    ("幼儿|幼童", frozenset({"infant", "child"})),
    ("儿童|小儿|小孩|儿科|孩子", CHILDHOOD),
    ("学龄", frozenset({"child"})),
    ("青少年", frozenset({"child", "adolescent"})),
    ("少年|中学生|青春期", frozenset({"adolescent"})),
    ("青年|青壮年|年轻", frozenset({"adolescent", "young"})),
    ("中青年", frozenset({"young", "middle"})),
    ("成年|成人", ADULTHOOD),
    ("育龄|生育|孕|妊娠|产妇|产后|产褥", frozenset({"young", "middle"})),
    ("中年", frozenset({"middle"})),
    ("中老年", frozenset({"middle", "old"})),
    ("老年|老人|高龄", frozenset({"old"})),
)
"""Words of a population text and the age bands they name (青年 is found within 中青年, 老年 within 中老年:
a text's bands are the union of all its words')."""
_ANY_AGE = re.compile("所有人|任何年龄|各年龄|均可|无特")
"""Words that say anyone may have it, whatever age: then the groups a text names are where it is common
(所有人群，大多是儿童), not who it is limited to."""
_ANY_SEX = re.compile("所有人|性别差异不明显|不分男女")
_NAMED = re.compile("小儿|儿童|新生儿|婴儿|婴幼儿|幼儿|老年|妊娠|孕|产后|产褥")
"""A disease name's first word that says who has it."""
_FEMALE = re.compile("女|妇|孕|妊娠|产妇|产后|产褥|育龄|生育")
_MALE = re.compile("男")
_YEARS: tuple[tuple[AgeBand, int, int], ...] = (
    ("newborn", 0, 1),
    ("infant", 0, 3),
    ("child", 3, 12),
    ("adolescent", 12, 18),
    ("young", 18, 45),
    ("middle", 45, 60),
    ("old", 60, 150),
)
"""Each band's ages in years, from (inclusive) and below (a newborn is 0 years old, and so is an infant)."""
_AGE_RANGE = re.compile(rf"({YEARS})\s*(?:岁)?\s*(以上|以下|[～~\-至到]\s*({YEARS})\s*岁)")


@dataclass(frozen=True)
class Population:
    """Age bands and a sex; no band, no sex: anyone."""

    ages: frozenset[AgeBand] = frozenset()
    sex: Sex | None = None
    certain: bool = False
    """A disease's own name says who has it (小儿…): no one else, not only mostly them."""

    @classmethod
    def of_age(cls, age: int) -> Population:
        """The band of someone ``age`` years old (0: a newborn or an infant).

        >>> Population.of_age(0).ages == {"newborn", "infant"}, sorted(Population.of_age(45).ages)
        (True, ['middle'])
        """
        return cls(_bands(age, age + 1))

    def fits(self, patient: Population) -> bool:
        """Whether ``patient`` may be one of this population: an age band in common and the same sex,
        where both say.

        >>> children, anyone = read_population("儿童"), read_population("所有人群")
        >>> children.fits(Population.of_age(70)), anyone.fits(Population.of_age(70))
        (False, True)
        """
        ages = not self.ages or not patient.ages or bool(self.ages & patient.ages)
        return ages and (self.sex is None or patient.sex is None or self.sex == patient.sex)


def as_sex(text: str | None) -> Sex | None:
    """A sex as the findings hold it, or None.

    >>> as_sex("女"), as_sex(None), as_sex("未知")
    ('女', None, None)
    """
    return "男" if text == "男" else "女" if text == "女" else None


def read_population(text: str | None, disease: str = "") -> Population:
    """The age bands and sex a disease's population text names (none for 所有人群, 无特定人群, 暂无资料,
    所有人群，大多是儿童; 各年龄段女性: a sex only), or its name's first word names (``certain``)."""
    named = _NAMED.match(disease)
    if named is not None:
        return replace(read_population(named.group()), certain=True)
    if not text:
        return Population()
    ages: frozenset[AgeBand] = frozenset().union(
        *(bands for words, bands in _AGE_WORDS if re.search(words, text)),
        *(_bands(*_years(found)) for found in _AGE_RANGE.finditer(text)),
    )
    female, male = bool(_FEMALE.search(text)), bool(_MALE.search(text))
    sex: Sex | None = "女" if female and not male else "男" if male and not female else None
    return Population(frozenset() if _ANY_AGE.search(text) else ages, None if _ANY_SEX.search(text) else sex)


def _bands(start: int, stop: int) -> frozenset[AgeBand]:
    """The bands with an age in [start, stop)."""
    return frozenset(band for band, low, below in _YEARS if low < stop and start < below)


def _years(found: re.Match[str]) -> tuple[int, int]:
    """[start, stop) of 40岁以上, 18岁以下, 30～40岁, 四十岁以上."""
    first = number(found.group(1))
    if found.group(2) == "以上":
        return first, 150
    if found.group(2) == "以下":
        return 0, first
    return first, number(found.group(3)) + 1
