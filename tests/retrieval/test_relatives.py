"""The family words every reader of a message shares (wenzhen.retrieval.relatives)."""

from __future__ import annotations

from collections import defaultdict

from wenzhen.retrieval.concept_meaning import _FRAME
from wenzhen.retrieval.relatives import FAMILY_WORDS, RELATIVES, Generation


def test_the_meaning_layer_skips_every_family_word_whole() -> None:
    """我岳母一次都没吐 must read as a denial as 我爸不怎么咳 does: the meaning layer skips the relative
    before it looks for the negation, the whole word (老公公, not 老公 and a stray 公)."""
    unframed = [w for w in FAMILY_WORDS if not ((found := _FRAME.match(w)) and found.end() == len(w))]
    assert not unframed


def test_questions_name_each_patient_of_one_age() -> None:
    """The findings tell how old the patient may be from how questions name them, so one name, one age."""
    ages: defaultdict[str, set[Generation | None]] = defaultdict(set)
    for relative in RELATIVES:
        ages[relative.who].add(relative.age)
    assert {who: found for who, found in ages.items() if len(found) > 1} == {}
