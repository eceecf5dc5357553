"""Which messages ask about a condition the patient knows of, from mentions spelled out here as the linker
finds them on the shared graph (no graph needed: the rule reads mentions, not names)."""

from __future__ import annotations

from wenzhen.agent.condition_question import asked_about
from wenzhen.kg_loader.schema import Label
from wenzhen.retrieval.kg import Mention


def mention(text: str, surface: str, label: Label, name: str | None = None, after: int = 0) -> Mention:
    start = text.index(surface, after)
    return Mention(name or surface, label, start, start + len(surface), surface)


def test_a_sign_named_after_the_known_disease_is_that_disease_not_a_complaint() -> None:
    """From the development halves of the real questions: 癫痫发作 (a symptom, 抽搐's) beside 癫痫, and
    顽固性高血压 after 患高血压, had made these a complaint, and the reply asked where it hurt."""
    text = "公公癫痫已经有好几年了，因为他癫痫发作的频率非常高，癫痫的护理有哪些呢?"
    epilepsy = mention(text, "癫痫", Label.DISEASE)
    seizure = mention(text, "癫痫发作", Label.SYMPTOM, "抽搐")
    assert asked_about(text, [epilepsy, seizure], {epilepsy: "癫痫"}) == ("癫痫",)

    text = "二叔患高血压好几年了，医生说是顽固性高血压，顽固性高血压怎么办？"
    known = mention(text, "高血压", Label.SYMPTOM)
    resistant = [mention(text, "顽固性高血压", Label.SYMPTOM, after=at) for at in (12, 20)]
    assert asked_about(text, [known, *resistant], {known: "高血压"}) == ("高血压",)


def test_a_complaint_beside_a_known_disease_is_still_one() -> None:
    """A symptom whose name is only part of the disease's (头痛 in 偏头痛) is felt now, and so is one
    named after a disease the message does not name."""
    text = "我有偏头痛，最近头痛得厉害，怎么办？"
    migraine = mention(text, "偏头痛", Label.DISEASE)
    headache = mention(text, "头痛", Label.SYMPTOM, after=5)
    assert asked_about(text, [migraine, headache], {migraine: "偏头痛"}) == ()
    text = "最近癫痫发作，怎么办？"
    assert asked_about(text, [mention(text, "癫痫发作", Label.SYMPTOM, "抽搐")], {}) == ()


def test_a_drug_named_after_a_disease_is_still_the_drug_asked_about() -> None:
    """Only a symptom is read as the disease it is named after: 感冒灵 stays the drug asked about."""
    text = "我感冒了，感冒灵能吃吗？"
    cold, remedy = mention(text, "感冒", Label.DISEASE), mention(text, "感冒灵", Label.DRUG)
    assert asked_about(text, [cold, remedy], {cold: "感冒"}) == ("感冒", "感冒灵")
