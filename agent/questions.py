"""How a question is put to the patient: a fixed template, optionally rephrased by the generator.

>>> template_text(Question("symptom", "腹胀"))
'请问您有没有腹胀的情况？'
>>> template_text(Question("symptom", "发热"), who="孩子")      # a parent writing for a child
'请问孩子有没有发热的情况？'
>>> template_text(Question("symptom", "腹泻"), everyday={"腹泻": "拉肚子"}.get)  # glossed in everyday words
'请问您有没有腹泻（拉肚子）的情况？'
>>> template_text(Question("open"))
'除此之外，还有哪些不舒服？'
>>> template_text(Question("body_part", "肝"))
'请问是肝这个部位不舒服吗？'
>>> template_text(Question("clarify"))[:16]
'能具体说说是哪里不舒服、什么感觉'
"""

from __future__ import annotations

from collections.abc import Callable

from wenzhen.agent.inquiry import Question

Gloss = Callable[[str], str | None]
"""A symptom's everyday words, or None (``SymptomConcepts.everyday``)."""

OPEN_QUESTION = "除此之外，还有哪些不舒服？"
WHERE_QUESTION = "主要是身体哪个部位不舒服？"
CLARIFY_QUESTION = "能具体说说是哪里不舒服、什么感觉吗？比如疼、胀、发烧、咳嗽、拉肚子，大概有多久了？"


def template_text(question: Question, who: str = "您", everyday: Gloss | None = None) -> str:
    """The question in words; ``who``: how to name the patient (a relative may be writing for them);
    ``everyday``: the symptom's everyday words, put after its name."""
    if question.kind == "clarify":
        return CLARIFY_QUESTION
    if question.kind == "open":
        return OPEN_QUESTION
    if question.kind == "body_part":
        return WHERE_QUESTION if question.target is None else f"请问是{question.target}这个部位不舒服吗？"
    said = everyday(question.target) if everyday and question.target else None
    gloss = f"（{said}）" if said else ""
    return f"请问{who}有没有{question.target}{gloss}的情况？"


def rephrase_instruction(question: Question, who: str = "您", everyday: Gloss | None = None) -> str:
    """The instruction the generator gets to phrase ``question`` warmly; its reply must keep the symptom."""
    return (
        "你是一名耐心的医生，正在问诊。请把下面这个问题改写成一句自然、亲切的中文问句，只输出这一句问句，"
        f"不要给出诊断或建议：{template_text(question, who, everyday)}"
    )


def accept_rephrased(question: Question, text: str) -> bool:
    """A rephrasing is used only if it is one short question that still names the symptom asked about."""
    text = text.strip()
    if not text or len(text) > 60 or not text.endswith(("？", "?")):
        return False
    return question.target is None or question.target in text
