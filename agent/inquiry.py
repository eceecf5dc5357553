"""The inquiry policy: a Bayesian posterior over the graph's diseases, the next question by information gain.

>>> policy = InquiryPolicy(DiseaseIndex(kg.disease_profiles()))                 # doctest: +SKIP
>>> state = policy.observe(InquiryState(), Volunteered("肝区疼痛"))              # doctest: +SKIP
>>> policy.next_question(state)                                                  # doctest: +SKIP
Question(kind='open', target=None)

What the patient said is a list of observations; the posterior is recomputed from them, so a session's state
is just that list (serialisable, checkpointable). The likelihoods model how a patient reports symptoms:

- a symptom named unprompted (the opening complaint, or the answer to "还有哪些不舒服？") is one of the
  disease's symptoms not yet mentioned, each equally likely: ``1 / remaining`` if the disease has it, else
  ``volunteer_outside`` (patients name symptoms the graph does not list);
- "没有了" to an open question: likely only when the disease has no unmentioned symptom left;
- yes/no to "有没有X？": ``1 - miss`` / ``miss`` if the disease has X, else ``false_yes`` / ``1 - false_yes``.

The next question is the one with the lowest expected posterior entropy over the leading candidates, open or
closed alike; the inquiry stops when the top candidate's probability reaches ``confidence`` or the budget of
questions is spent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from wenzhen.agent.population import AGE_BANDS, AgeBand, Population, read_population
from wenzhen.core.errors import ResourceMissing
from wenzhen.retrieval.kg import DiseaseProfile

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Volunteered:
    """The patient named ``symptom`` unprompted (opening complaint or answer to an open question);
    ``certain`` False when they hedged it (好像发烧)."""

    symptom: str
    certain: bool = True


@dataclass(frozen=True)
class NothingElse:
    """The patient said no further symptom ("没有了") to an open question."""


@dataclass(frozen=True)
class Answered:
    """The patient answered yes (``present``) or no to a closed question about ``symptom``; ``certain``
    False for a hedged answer (好像有)."""

    symptom: str
    present: bool
    certain: bool = True


@dataclass(frozen=True)
class BodyParts:
    """The patient said where the trouble is (one or more body parts)."""

    parts: tuple[str, ...]


@dataclass(frozen=True)
class Located:
    """The patient said where, unprompted, in words that may mean any of ``parts`` (右上腹: 肝, 胆, 腹部);
    ``named``: those parts the words name outright (胃胀: 胃), which a patient would only confirm if asked."""

    parts: tuple[str, ...]
    named: tuple[str, ...] = ()


@dataclass(frozen=True)
class BodyPartDenied:
    """The patient said no to "is it at <part>?"."""

    part: str


@dataclass(frozen=True)
class BodyPartUnknown:
    """The patient could not say where ("不清楚")."""


Objective = Literal["entropy", "top3"]
Observation = Volunteered | NothingElse | Answered | BodyParts | Located | BodyPartDenied | BodyPartUnknown
QuestionKind = Literal["open", "symptom", "body_part", "clarify"]


@dataclass(frozen=True)
class Question:
    """What to ask next: ``open`` ("还有哪些不舒服？"), ``symptom`` ("有没有<target>？"), or ``body_part``:
    where the trouble is (target None) or whether it is at <target> (closed). ``clarify`` ("能具体说说…")
    is the consultation's own, for a complaint it could not understand; the policy never asks it."""

    kind: QuestionKind
    target: str | None = None


@dataclass(frozen=True)
class InquiryState:
    """The observations so far and the questions asked (each counts against the budget); who the patient
    is (``PatientFacts.population``: 孩子, 我爸, an age), weighed against each disease's population."""

    observations: tuple[Observation, ...] = ()
    asked: tuple[Question, ...] = ()
    patient: Population = field(default_factory=Population)

    @property
    def present(self) -> list[str]:
        """Symptoms the patient has, in the order they came up."""
        seen: list[str] = []
        for o in self.observations:
            name = (
                o.symptom if isinstance(o, Volunteered) or (isinstance(o, Answered) and o.present) else None
            )
            if name is not None and name not in seen:
                seen.append(name)
        return seen

    @property
    def absent(self) -> list[str]:
        return [o.symptom for o in self.observations if isinstance(o, Answered) and not o.present]


@dataclass(frozen=True)
class Ranked:
    disease: str
    probability: float


@dataclass(frozen=True)
class InquiryParameters:
    miss: float = 0.05
    false_yes: float = 0.02
    volunteer_outside: float = 0.01
    nothing_else_wrong: float = 0.02
    body_part_wrong: float = 0.02
    """Likelihood of naming a body part the disease does not affect."""
    body_part_unknown: float = 0.2
    """Likelihood of "不清楚" about where, for a disease that affects a known body part."""
    location_wrong: float = 0.5
    """Likelihood of an unprompted location none of whose parts the disease affects (mild: everyday words
    say roughly where, and the graph's body parts are coarse)."""
    location_unlisted: float = 1.0
    """Likelihood of an unprompted location for a disease the graph gives no body part (no evidence)."""
    confidence: float = 0.4
    max_questions: int = 6
    open_questions: bool = True
    candidates: int = 300
    """How many leading diseases the expected-entropy computation considers."""
    objective: Objective = "entropy"
    """What a question is chosen to reduce: the posterior's entropy, or the mass outside the top three."""
    min_gain: float = 0.1
    """Stop asking when no question is expected to reduce that loss by more than this."""
    doubt_weight: float = 0.5
    """How much a hedged report (好像发烧, 好像有) weighs against a sure one: its evidence, tempered."""
    population_wrong: float = 0.1
    """Prior weight of a disease whose population names age bands (or a sex) other than the patient's
    known ones: a children's disease for 我爸, a women's for a man; per attribute. One that names none
    (所有人群), or the patient's, weighs 1: naming the patient's does not favour a disease (measured: it
    lost cases)."""
    population_excluded: float = 0.01
    """The same, for a disease whose own name says who has it (小儿…, 新生儿…, 老年人…, 妊娠…)."""


class Policy(Protocol):
    """What the consultation needs of an inquiry policy: the graph's (:class:`InquiryPolicy`) or one over an
    answer model fitted from case records (``wenzhen.agent.answer_policy.AnswerModelPolicy``)."""

    @property
    def body_part_names(self) -> Sequence[str]:
        """Body-part names to read in an answer to "where?" (longest first; none if it never asks)."""
        ...

    def observe(self, state: InquiryState, *observations: Observation) -> InquiryState: ...

    def ask(self, state: InquiryState, question: Question) -> InquiryState: ...

    def next_question(self, state: InquiryState) -> Question | None: ...

    def ranking(self, state: InquiryState, limit: int = 10) -> list[Ranked]: ...


class DiseaseIndex:
    """Diseases and their symptom sets as arrays: an inverted index symptom -> disease rows."""

    def __init__(self, profiles: list[DiseaseProfile]) -> None:
        self.profiles = [p for p in profiles if p.symptoms]
        self.names = [p.disease for p in self.profiles]
        self.sizes: IntArray = np.array([len(set(p.symptoms)) for p in self.profiles], dtype=np.int64)
        holders: dict[str, list[int]] = {}
        for row, profile in enumerate(self.profiles):
            for symptom in set(profile.symptoms):
                holders.setdefault(symptom, []).append(row)
        self.holders = {s: np.array(rows, dtype=np.int64) for s, rows in holders.items()}
        self.body_parts = [frozenset(p.body_parts) for p in self.profiles]
        populations = [read_population(p.population, p.disease) for p in self.profiles]
        self.ages = np.array(
            [[band in p.ages for band in AGE_BANDS] for p in populations], dtype=bool
        ).reshape(len(populations), len(AGE_BANDS))
        """Which age bands (columns in ``AGE_BANDS`` order) each disease's population names."""
        self.names_ages = self.ages.any(axis=1)
        self.sexes = np.array([population.sex or "" for population in populations])
        self.names_sex = self.sexes != ""
        self.certain = np.array([p.certain for p in populations], dtype=bool)
        names = {b for parts in self.body_parts for b in parts}
        self.body_part_names = sorted(names, key=lambda b: (-len(b), b))
        """Longest first, for scanning a patient's answer."""

    def __len__(self) -> int:
        return len(self.profiles)

    def in_ages(self, bands: frozenset[AgeBand]) -> npt.NDArray[np.bool_]:
        """Whether each disease's population names one of ``bands``."""
        return np.any(self.ages[:, [AGE_BANDS.index(band) for band in bands]], axis=1)  # type: ignore[no-any-return]

    def has(self, symptom: str) -> npt.NDArray[np.bool_]:
        mask = np.zeros(len(self), dtype=bool)
        mask[self.holders.get(symptom, np.empty(0, dtype=np.int64))] = True
        return mask


@dataclass
class _Posterior:
    log: FloatArray
    mentioned: IntArray
    """For each disease, how many of its symptoms the patient has already mentioned."""
    said: set[str] = field(default_factory=set)

    located: bool = False
    """The patient has said where (or that they cannot say) when asked."""
    placed: set[str] = field(default_factory=set)
    """The body parts the patient's own location words may mean (右上腹: 肝, 胆, 腹部)."""
    named_parts: set[str] = field(default_factory=set)
    """Those the patient's words name outright (胃): never asked "is it at <part>?"."""
    denied_parts: set[str] = field(default_factory=set)
    nothing_else: bool = False
    """The patient has said there is nothing else."""

    def probabilities(self) -> FloatArray:
        weights = np.exp(self.log - self.log.max())
        return weights / weights.sum()  # type: ignore[no-any-return]


class InquiryPolicy:
    def __init__(
        self,
        index: DiseaseIndex,
        parameters: InquiryParameters | None = None,
        broader: Callable[[str], Sequence[str]] | None = None,
    ) -> None:
        """``broader``: a symptom concept's broader ones (``SymptomConcepts.with_broader``): a patient who
        has 右上腹痛 has 腹痛, so it is not asked about."""
        if not len(index):
            raise ResourceMissing(
                "the knowledge graph has no disease with a symptom: load one (wenzhen kg load)"
            )
        self.index = index
        self.parameters = parameters or InquiryParameters()
        self.broader = broader or (lambda symptom: (symptom,))

    @property
    def body_part_names(self) -> Sequence[str]:
        return self.index.body_part_names

    def observe(self, state: InquiryState, *observations: Observation) -> InquiryState:
        return replace(state, observations=state.observations + observations)

    def ask(self, state: InquiryState, question: Question) -> InquiryState:
        return replace(state, asked=(*state.asked, question))

    # --- the observation model, P(answer | disease): the update and the look-ahead both use it -------------
    def _p_yes(self, has: npt.NDArray[np.bool_]) -> FloatArray:
        """P(yes to "有没有X？" or "是X这个部位吗？"), by whether each disease has X."""
        return np.where(has, 1 - self.parameters.miss, self.parameters.false_yes)

    def _p_named(self, has: npt.NDArray[np.bool_], remaining: IntArray | FloatArray) -> FloatArray:
        """P(naming X unprompted): one of the disease's ``remaining`` unmentioned symptoms, each alike, if it
        has X; else a symptom the graph does not list for it."""
        return np.where(has, 1.0 / np.maximum(remaining, 1), self.parameters.volunteer_outside)

    def _p_nothing_else(self, remaining: IntArray | FloatArray) -> FloatArray:
        """P("没有了" to an open question), by how many of its symptoms each disease has left unmentioned."""
        wrong = self.parameters.nothing_else_wrong
        return np.where(remaining <= 0, 1 - wrong, wrong)

    def _posterior(self, state: InquiryState) -> _Posterior:
        index = self.index
        post = _Posterior(np.log(self._population_prior(state.patient)), np.zeros(len(index), dtype=np.int64))
        for observation in state.observations:
            if isinstance(observation, BodyParts | Located | BodyPartDenied | BodyPartUnknown):
                post.log += np.log(self._body_part_likelihood(observation))
                if isinstance(observation, Located):
                    post.placed |= set(observation.parts)
                    post.named_parts |= set(observation.named)
                    continue
                post.located |= not isinstance(observation, BodyPartDenied)
                if isinstance(observation, BodyPartDenied):
                    post.denied_parts.add(observation.part)
                continue
            if isinstance(observation, NothingElse):
                post.log += np.log(self._p_nothing_else(index.sizes - post.mentioned))
                post.nothing_else = True
                continue
            symptom = observation.symptom
            if symptom in post.said and (isinstance(observation, Volunteered) or observation.present):
                continue
            has = index.has(symptom)
            weight = 1.0 if observation.certain else self.parameters.doubt_weight
            if isinstance(observation, Volunteered):
                post.log += weight * np.log(self._p_named(has, index.sizes - post.mentioned))
            else:
                yes = self._p_yes(has)
                post.log += weight * np.log(yes if observation.present else 1 - yes)
            if isinstance(observation, Volunteered) or observation.present:
                post.said.add(symptom)
                post.mentioned += has
        return post

    def _population_prior(self, patient: Population) -> FloatArray:
        """Each disease's prior weight for this patient: ``population_wrong`` (``population_excluded`` if
        its name says who has it) for each attribute known of the patient (age band, sex) that the
        disease's population names otherwise, else 1."""
        index = self.index
        wrong = np.zeros(len(index), dtype=np.int64)
        if patient.ages:
            wrong += index.names_ages & ~index.in_ages(patient.ages)
        if patient.sex:
            wrong += index.names_sex & (index.sexes != patient.sex)
        p = self.parameters
        return np.power(np.where(index.certain, p.population_excluded, p.population_wrong), wrong)

    def _body_part_likelihood(
        self,
        observation: BodyParts | Located | BodyPartDenied | BodyPartUnknown,
        rows: IntArray | None = None,
    ) -> FloatArray:
        p = self.parameters
        parts = self.index.body_parts if rows is None else [self.index.body_parts[i] for i in rows]
        if isinstance(observation, Located):
            meant = frozenset(observation.parts)
            return np.array(
                [1.0 if b & meant else p.location_wrong if b else p.location_unlisted for b in parts]
            )
        if isinstance(observation, BodyPartUnknown):
            return np.array([p.body_part_unknown if b else 1 - p.body_part_unknown for b in parts])
        if isinstance(observation, BodyPartDenied):
            return 1 - self._p_yes(np.array([observation.part in b for b in parts], dtype=bool))
        named = frozenset(observation.parts)
        return np.array([1.0 if named == b else 0.5 if b and named < b else p.body_part_wrong for b in parts])

    def ranking(self, state: InquiryState, limit: int = 10) -> list[Ranked]:
        """Diseases by posterior probability (ties by name)."""
        probabilities = self._posterior(state).probabilities()
        order = np.lexsort((np.arange(len(probabilities)), -probabilities))[:limit]
        return [Ranked(self.index.names[i], float(probabilities[i])) for i in order]

    def next_question(self, state: InquiryState) -> Question | None:
        """The question with the lowest expected posterior entropy, or None when the inquiry should stop:
        nothing reported yet, the budget spent, or the top disease at ``confidence``."""
        if len(state.asked) >= self.parameters.max_questions or not state.present:
            return None
        post = self._posterior(state)
        probabilities = post.probabilities()
        if float(probabilities.max()) >= self.parameters.confidence:
            return None
        top = np.argsort(-probabilities, kind="stable")[: self.parameters.candidates]
        prior = probabilities[top] / probabilities[top].sum()
        asked = {q.target for q in state.asked if q.kind == "symptom"}
        implied = {b for said in post.said for b in self.broader(said)}
        excluded = post.said | implied | set(state.absent) | asked
        columns = sorted({s for i in top for s in self.index.profiles[i].symptoms} - excluded)
        has = np.zeros((len(top), len(columns)), dtype=bool)
        position = {s: j for j, s in enumerate(columns)}
        for row, i in enumerate(top):
            for s in self.index.profiles[i].symptoms:
                if s in position:
                    has[row, position[s]] = True
        options: list[tuple[float, Question]] = []
        closed = self._closed_entropies(prior, has)
        options += [(float(e), Question("symptom", s)) for e, s in zip(closed, columns, strict=True)]
        if self.parameters.open_questions and not post.nothing_else:  # asked and answered: not again
            remaining = (self.index.sizes[top] - post.mentioned[top]).astype(np.float64)
            options.append((self._open_entropy(prior, has, remaining), Question("open")))
        asked_parts = {q.target for q in state.asked if q.kind == "body_part"}
        if not post.located and None not in asked_parts:
            not_to_ask: set[str | None] = {*post.denied_parts, *asked_parts, *post.named_parts}
            options += self._body_part_options(prior, top, not_to_ask, post.placed)
        if not options:
            return None
        best = min(options, key=lambda option: (option[0], option[1].kind != "open", option[1].target or ""))
        current = float(loss(self.parameters.objective, prior[:, None, None])[0, 0])
        return best[1] if current - best[0] > self.parameters.min_gain else None

    def _body_part_options(
        self, prior: FloatArray, top: IntArray, excluded: set[str | None], placed: set[str]
    ) -> list[tuple[float, Question]]:
        """Where is it (with open questions), or is it at <part> (closed only, or once the patient's own
        words ``placed`` it: then only the parts those words may mean), with their expected losses."""
        if self.parameters.open_questions and not placed:
            named = {tuple(sorted(self.index.body_parts[i])) for i in top if self.index.body_parts[i]}
            answers: list[BodyParts | BodyPartUnknown] = [BodyParts(parts) for parts in sorted(named)]
            answers.append(BodyPartUnknown())
            likelihood = np.stack([self._body_part_likelihood(a, top) for a in answers], axis=1)
            likelihood /= likelihood.sum(axis=1, keepdims=True)
            return [
                (
                    float(self._expected_loss(prior, likelihood[:, None, :])[0]),
                    Question("body_part"),
                )
            ]
        parts = sorted({b for i in top for b in self.index.body_parts[i]} - excluded)
        parts = [part for part in parts if part in placed] if placed else parts
        options = []
        for part in parts:
            yes = self._p_yes(np.array([part in self.index.body_parts[i] for i in top], dtype=bool))
            expected = self._expected_loss(prior, np.stack([yes, 1 - yes], axis=1)[:, None, :])[0]
            options.append((float(expected), Question("body_part", part)))
        return options

    def _expected_loss(self, prior: FloatArray, likelihood: FloatArray) -> FloatArray:
        return expected_loss(self.parameters.objective, prior, likelihood)

    def _closed_entropies(self, prior: FloatArray, has: npt.NDArray[np.bool_]) -> FloatArray:
        yes = self._p_yes(has)
        return self._expected_loss(prior, np.stack([yes, 1 - yes], axis=2))

    def _open_entropy(self, prior: FloatArray, has: npt.NDArray[np.bool_], remaining: FloatArray) -> float:
        named = self._p_named(has, remaining[:, None])
        nothing = self._p_nothing_else(remaining)
        answers = np.concatenate([named, nothing[:, None]], axis=1)
        answers /= answers.sum(axis=1, keepdims=True)
        return float(self._expected_loss(prior, answers[:, None, :])[0])


def expected_loss(objective: Objective, prior: FloatArray, likelihood: FloatArray) -> FloatArray:
    """The expected loss of asking each question: ``likelihood[d, q, a]`` = P(answer a to question q |
    disease d), ``prior[d]`` the current posterior.

    >>> prior = np.array([0.5, 0.5])
    >>> telling, useless = [[1.0, 0.0], [0.5, 0.5]], [[0.0, 1.0], [0.5, 0.5]]
    >>> expected_loss("entropy", prior, np.array([telling, useless])).round(3).tolist()
    [0.0, 0.693]
    """
    joint = prior[:, None, None] * likelihood
    evidence = joint.sum(axis=0)
    return (evidence * loss(objective, joint / np.maximum(evidence, 1e-300))).sum(axis=1)  # type: ignore[no-any-return]


def loss(objective: Objective, posterior: FloatArray) -> FloatArray:
    """The loss of each posterior ``posterior[:, q, a]`` (diseases along the first axis): its entropy, or
    the probability outside its top three."""
    if objective == "top3":
        k = min(3, len(posterior))
        return 1 - np.partition(posterior, len(posterior) - k, axis=0)[-k:].sum(axis=0)  # type: ignore[no-any-return]
    return -(posterior * np.log(np.maximum(posterior, 1e-300))).sum(axis=0)  # type: ignore[no-any-return]
