"""Symptoms by meaning: a clause of the patient's text that no name, alias or pattern linked is compared with
the names and everyday phrasings of every symptom concept, and linked to the nearest concept when it is near
enough. Body parts and checks named in a clause do not stop it being read (肛门痛, 体温升高了),
unless they are all it says.

>>> import numpy as np
>>> vectors = np.array([[1.0, 0.0], [0.0, 1.0]])
>>> meaning = ConceptMeaning(vectors, ["腹泻", "头痛"], lambda text: np.array([0.99, 0.14]), threshold=0.9)
>>> [(m.name, m.surface, m.negated) for m in meaning.link("我最近一直跑厕所，没怎么睡", [])]
[('腹泻', '一直跑厕所', False), ('腹泻', '怎么睡', True)]

Clauses are cut at punctuation; words that only frame a complaint (我最近, 我爸, 还有, 就是 …; …是什么病,
…是怎么回事) are left out, and a negation cue at the start marks the mention negated (the cue is left out
of what is compared), as does a clause that calls something normal (体温正常 is near 发热, and denies it),
denies within (一次都没吐) or after (…倒是没有, left out of what is compared); a clause that says how a
treatment worked (吃完不管用) or voices the writer's worry (有点担心) is not compared. A negated clause is
no denial when, cue and all, it is nearest a concept that is itself a lack (没什么胃口 says 食欲不振, 不太有劲
says 乏力): a concept some of whose own names or phrasings open with a negation (没胃口, 没力气).
A clause that already holds a linked symptom (or disease, drug …) is not read again. The vectors of the
phrasings are computed once per set of concepts and embedding model and kept in the cache directory.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from wenzhen.kg_loader.schema import Label
from wenzhen.retrieval.kg import MIN_NAME_CHARS, Mention, SymptomConcepts
from wenzhen.retrieval.negation import NOT_NEGATIONS, TIMES, hedge_before, negation_in, states_normal
from wenzhen.retrieval.patterns import CLAUSE, felt, is_pattern
from wenzhen.retrieval.relatives import FAMILY_WORDS, alternation

THRESHOLD = 0.945
"""Least cosine between a clause and a concept's nearest phrasing (multilingual-e5-small)."""
_FRAME_WORDS = (
    *("我", "他", "她", "俺", "家里", "们家", "家", "老人", "这几天", "这两天"),
    *("还有", "还", "也", "而且", "另外", "就是", "主要是", "感觉", "觉得", "总觉得"),
    *TIMES,
    *FAMILY_WORDS,
)
_FRAME = re.compile(f"^(?:{alternation(_FRAME_WORDS)})+")
"""Words that only frame a complaint: the family member who has it (我爸, 婆婆最近), when (上午没烧)."""
_ASKING = re.compile(
    r"(?:可能|会|是不是|到底)*(?:是|得了|属于)*(?:什么|哪些|哪种|啥)(?:病|原因|问题|毛病).*$"
    r"|(?:是|这是)?怎么(?:回事|了|办)$|(?:正常|要紧|严重)?[吗呢吧啊]$"
)
"""A question about the complaint closing a clause (…是什么病, …是怎么回事, …要紧吗): not compared."""
_NEGATION = re.compile(r"(?:没有|没|无|不(?!是)|未|否认)")  # match(words, start): no ^; 不是…也: no denial
_DENIED_AFTER = re.compile(r"(?:倒是|倒)(?:没有|没)(?:了|的|啊|呢|哦|吧)?$")
"""A denial after the clause's words, contrasting (一直跑厕所倒是没有); not 一点劲都没有, a complaint."""
_DENIED_WITHIN = re.compile(r"(?:一次|从来|根本|完全|并|都|也)(?:都|也)?(?:没有|没|不)")
"""A denial inside a clause (一次都没吐, 根本不疼, 到现在都没吐过): its words are near the complaint's, its
sense is not; unless the clause is nearest a lack (饭都不想吃, 一点劲都没有: complaints)."""
_NOT_A_COMPLAINT = re.compile(
    r"^(?:不清楚|不知道|说不清|说不好|不确定|没有了|没了|没有别的|就这些|就这样|是的?|对的?|嗯|有的?|没有|不是)$"
)
"""Short answers (unsure, nothing else, yes, no) that are no complaint however near a phrasing they are."""
_TREATMENT_EFFECT = re.compile(r"不管用|不顶用|没效果|没有效果|效果不|不见效|没用|无效")
"""How a treatment worked (吃完不管用, 吃药没效果): no complaint, however near one its other words are."""
_WORRY = re.compile(r"担心|担忧|忧心|操心")
"""The writer's worry about what they ask (有点担心, 我现在非常得担心): no complaint, however near 焦虑's
phrasings; worry as a complaint is told as a habit (老是担心, the lexicon's)."""
_CJK = re.compile(r"[\u4e00-\u9fff]")
MIN_CLAUSE_CHARS = 2


@dataclass
class ConceptMeaning:
    vectors: npt.NDArray[Any]
    """One normalised vector per phrasing."""
    concepts: list[str]
    """The concept of each phrasing."""
    encode: Callable[[str], npt.NDArray[Any]]
    threshold: float = THRESHOLD
    lacks: frozenset[str] = frozenset()
    """Concepts that are a lack of something, phrased as a negation (没胃口, 没力气): a negated clause near
    one of them says the lack (没什么胃口, 不怎么想吃东西) and does not deny it."""
    felt: dict[str, frozenset[str]] = field(default_factory=dict)
    """Concepts every phrasing of which names what is felt (耳朵疼, 嗓子痒), with what their phrasings name:
    a clause that names none of it is not one of them however near (下巴上长了个痘 is no 下巴疼, 疼得厉害
    no 痒得厉害)."""

    @classmethod
    def build(
        cls, concepts: SymptomConcepts, model: Any, model_name: str, cache_dir: Path | None = None
    ) -> ConceptMeaning:
        """Vectors of every concept's names and literal phrasings under ``model`` (cached by content), but
        one-character words (咳, 痒: the linker reads them where they are a clause's verb), which no clause
        is near in meaning for its own sake (吐泡 is no 吐)."""
        from wenzhen.retrieval.embedder import QueryEncoder

        phrasings = [
            (c.name, text)
            for c in concepts.concepts
            for text in dict.fromkeys((c.name, *c.names, *c.lay))
            if not is_pattern(text) and len(text) >= MIN_NAME_CHARS  # shorter: the linker's words
        ]
        key = hashlib.sha256(json.dumps([model_name, phrasings], ensure_ascii=False).encode()).hexdigest()
        cached = cache_dir / "concept-vectors" / f"{key[:24]}.npy" if cache_dir is not None else None
        if cached is not None and cached.exists():
            vectors = np.load(cached)
        else:
            texts = [text for _, text in phrasings]
            vectors = (
                np.asarray(
                    model.encode_query(texts, batch_size=64, normalize_embeddings=True), dtype=np.float32
                )
                if texts
                else np.zeros((0, 1), dtype=np.float32)
            )
            if cached is not None:
                cached.parent.mkdir(parents=True, exist_ok=True)
                np.save(cached, vectors)
        lacks = frozenset(
            c.name for c in concepts.concepts if any(_opens_with_negation(t) for t in (*c.names, *c.lay))
        )
        literals = {
            c.name: [t for t in (c.name, *c.names, *c.lay) if not is_pattern(t)] for c in concepts.concepts
        }
        sensations = {
            concept: frozenset().union(*map(felt, texts))
            for concept, texts in literals.items()
            if all(map(felt, texts))
        }
        return cls(
            vectors, [name for name, _ in phrasings], QueryEncoder(model), lacks=lacks, felt=sensations
        )

    def concept_of(self, clause: str) -> tuple[str, float] | None:
        """The nearest concept of ``clause`` and its cosine, when it reaches the threshold."""
        if not self.concepts:
            return None
        scores = self.vectors @ self.encode(clause)
        best = int(np.argmax(scores))
        concept, score = self.concepts[best], float(scores[best])
        unfelt = concept in self.felt and not self.felt[concept] & felt(clause)
        return (concept, score) if score >= self.threshold and not unfelt else None

    def link(self, text: str, linked: Sequence[Mention]) -> list[Mention]:
        """Mentions for the clauses of ``text`` that hold none of the ``linked`` ones."""
        found = []
        for clause in CLAUSE.finditer(text):
            if any(m.claims(clause.start(), clause.end()) for m in linked):
                continue
            words = clause.group().strip()
            if _NOT_A_COMPLAINT.match(words) or _TREATMENT_EFFECT.search(words) or _WORRY.search(words):
                continue
            offset = clause.start() + clause.group().index(words) if words else clause.start()
            framed = _FRAME.match(words)
            start = framed.end() if framed else 0
            negation = None if NOT_NEGATIONS.match(words, start) else _NEGATION.match(words, start)
            core_start = negation.end() if negation else start
            core = words[core_start:]
            asking = _ASKING.search(core)
            core = core[: asking.start()] if asking else core
            denied_after = _DENIED_AFTER.search(core)  # 一直跑厕所倒是没有: compared without it
            core = core[: denied_after.start()] if denied_after else core
            begin = offset + core_start
            end = begin + len(core)
            if len(core) < MIN_CLAUSE_CHARS or not _CJK.search(_outside(text, begin, end, linked)):
                continue
            said = words[start:core_start] + core  # with its negation cue
            within = _DENIED_WITHIN.search(core)
            denial = (negation and not negation_in(core)) or within  # 没有浑身没劲: no lack
            lack = self._lack(said) if denial else None
            if lack is not None:  # 没什么胃口: the negation is the complaint, not a denial of it
                begin, core, negation, within = offset + start, said, None, None
            nearest = lack or self.concept_of(core)
            if nearest is not None:
                hedge = hedge_before(text, end)  # the clause is the mention: a hedge may open it
                denied = bool(negation or denied_after or within) or states_normal(core)
                found.append(Mention(nearest[0], Label.SYMPTOM, begin, end, core, denied, hedge))
        return found

    def _lack(self, clause: str) -> tuple[str, float] | None:
        """The nearest concept of a negated ``clause``, cue and all, when it is a lack."""
        nearest = self.concept_of(clause) if self.lacks else None
        return nearest if nearest is not None and nearest[0] in self.lacks else None


def _opens_with_negation(phrasing: str) -> bool:
    return _NEGATION.match(phrasing) is not None and NOT_NEGATIONS.match(phrasing) is None


def _outside(text: str, begin: int, end: int, linked: Sequence[Mention]) -> str:
    """``text[begin:end]`` without the linked mentions in it: what is left to read (nothing, for a clause
    that only names a body part)."""
    kept = [c for i, c in enumerate(text[begin:end], begin) if not any(m.start <= i < m.end for m in linked)]
    return "".join(kept)
