"""The family words of patients' messages: whom a relative writes for (我爸…, 孩子…, 我嫂子…).

>>> relative = next(r for r in RELATIVES if "嫂子" in r.mine)
>>> relative.who, relative.sex, relative.age
('您嫂子', '女', 'adult')
>>> alternation(["哥", "表哥", "哥哥"])
'哥哥|表哥|哥'

One table for every reader of a message: the findings read who the patient is from it (how questions name
them, their sex, how old they may be), and the meaning layer skips its words before it looks for a negation
(我岳母一次都没吐 denies as 一次都没吐 does).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Sex = Literal["男", "女"]
Generation = Literal["child", "adult", "old"]
"""How old a relative's word says the patient is: a child, a grown-up, an old person."""


@dataclass(frozen=True)
class Relative:
    mine: tuple[str, ...]
    """The words after 我 (我爸, 我家孩子, 我72岁的老父亲)."""
    alone: tuple[str, ...]
    """The words that name them without 我 (孩子发烧了, 家里老人)."""
    who: str
    """How questions name the patient (请问您父亲有没有…)."""
    sex: Sex | None = None
    age: Generation | None = None
    """None: any age (a brother, a cousin, a friend)."""


def _words(alternatives: str) -> tuple[str, ...]:
    return tuple(filter(None, alternatives.split("|")))


def _relative(mine: str, alone: str, who: str, sex: Sex | None, age: Generation | None) -> Relative:
    return Relative(_words(mine), _words(alone), who, sex, age)


RELATIVES: tuple[Relative, ...] = tuple(
    _relative(*row)
    for row in (
        ("儿子", "儿子", "孩子", "男", "child"),
        ("女儿|闺女", "女儿|闺女", "孩子", "女", "child"),
        ("孩子|宝宝|宝贝", "孩子|宝宝|小孩|娃", "孩子", None, "child"),
        ("孙女|外孙女", "", "孩子", "女", "child"),
        ("孙子|外孙", "", "孩子", "男", "child"),
        ("爸|父亲|老爸|老爷子|爹", "", "您父亲", "男", "adult"),
        ("妈|母亲|老妈|老太太|娘", "", "您母亲", "女", "adult"),
        ("婆婆", "", "您婆婆", "女", "adult"),
        ("公公|老公公", "", "您公公", "男", "adult"),
        ("岳父|老丈人", "", "您岳父", "男", "adult"),
        ("岳母|丈母娘", "", "您岳母", "女", "adult"),
        ("老婆|妻子|媳妇", "", "您爱人", "女", "adult"),
        ("老公|丈夫|先生", "", "您爱人", "男", "adult"),
        ("爱人", "", "您爱人", None, "adult"),
        ("爷爷|外公|姥爷", "", "老人家", "男", "old"),
        ("奶奶|外婆|姥姥", "", "老人家", "女", "old"),
        ("", "家里老人|老人家", "老人家", None, "old"),
        ("哥哥|哥", "", "您哥哥", "男", None),
        ("弟弟|弟", "", "您弟弟", "男", None),
        ("姐姐|姐", "", "您姐姐", "女", None),
        ("妹妹|妹", "", "您妹妹", "女", None),
        ("表哥|堂哥", "", "您表哥", "男", None),
        ("表弟|堂弟", "", "您表弟", "男", None),
        ("表姐|堂姐", "", "您表姐", "女", None),
        ("表妹|堂妹", "", "您表妹", "女", None),
        ("嫂子|嫂嫂|大嫂", "", "您嫂子", "女", "adult"),
        ("弟媳|弟媳妇", "", "您弟媳", "女", "adult"),
        ("姐夫", "", "您姐夫", "男", "adult"),
        ("妹夫", "", "您妹夫", "男", "adult"),
        ("小姑子|大姑子", "", "您小姑子", "女", "adult"),
        ("小叔子|大伯子", "", "您小叔子", "男", "adult"),
        ("叔叔|伯伯|伯父|大伯|大爷", "", "您叔叔", "男", "adult"),
        ("舅舅|舅", "", "您舅舅", "男", "adult"),
        ("姑姑|姑妈", "", "您姑姑", "女", "adult"),
        ("小姨", "", "您小姨", "女", "adult"),
        ("阿姨|舅妈|婶婶|婶子|伯母", "", "您阿姨", "女", "adult"),
        ("朋友|同学", "", "您朋友", None, None),
        ("同事", "", "您同事", None, "adult"),
    )
)
"""Every relative a message may be written for: (the words after 我, the words on their own, how questions
name the patient, sex, how old)."""


def alternation(words: Iterable[str]) -> str:
    """A regular expression's alternatives, longest first, so that 老公公 is tried before 老公."""
    return "|".join(sorted(set(words), key=lambda word: (-len(word), word)))


MINE_WORDS: tuple[str, ...] = tuple(dict.fromkeys(word for relative in RELATIVES for word in relative.mine))
"""Every relative's words after 我."""
FAMILY_WORDS: tuple[str, ...] = tuple(
    dict.fromkeys(word for relative in RELATIVES for word in (*relative.mine, *relative.alone))
)
"""Every word that names a relative, with 我 or without."""
