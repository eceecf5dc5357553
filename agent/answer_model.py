"""What a patient with each disease says about each symptom, fitted from case records, the graph, or both.

>>> from wenzhen.agent.case_records import CaseRecord
>>> records = [CaseRecord("肺炎", {"咳嗽": True}, {"发热": True}), CaseRecord("腹泻", {"腹泻": True})]
>>> model = fit_answer_model(records)
>>> model.diseases, model.symptoms
(('肺炎', '腹泻'), ('发热', '咳嗽', '腹泻'))
>>> round(float(np.exp(model.asked[0, 0, YES])), 2)      # P(yes when 肺炎 is asked about 发热)
0.67

Each (disease, symptom) has two distributions: ``stated``, how the symptom figures in what the patient
says first (YES / NO / UNSURE, UNSURE: not mentioned or not sure), and ``asked``, the answer when the doctor
asks about it (YES / NO / UNSURE / NOT_RECORDED: the patient was not sure, or the record says nothing of
it). A live patient answers yes, no or not sure; a record that never asked says nothing, which is not the
same thing (MZ-10's patients say "not sure" of 4,834 symptoms a doctor asked about), so the benchmarks'
simulated patient keeps the two apart, as the standard simulators do. Both are Dirichlet posteriors: the
records' counts, plus ``smoothing`` per answer, plus ``graph_weight`` pseudo-records drawn from the graph's
belief (the graph lists the symptom for the disease: yes with ``1 - miss``, else ``false_yes``; it says
nothing about being unsure). No records gives the graph alone; no graph gives the records alone.

Whether a symptom is said up front or only learnt by asking is learnt for each disease (``per-disease``:
the two tables fitted apart), or for each symptom over every disease (``shared``: then P(yes / no / not
sure / not recorded | disease) is fitted from every record of the disease, said or asked, twice the data
when records are few), or ``choose``-n by cross-validation: whichever names the right disease more often
when told each held-out record in full. Dxy's 423 records are better fitted shared (0.825 against 0.790,
told in full); MZ-4's and MZ-10's per-disease (0.743 / 0.744 / 0.676 against 0.727 / 0.737 / 0.672).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from wenzhen.agent.case_records import UNRECORDED, Answer, CaseRecord, Reply, split_folds
from wenzhen.core.errors import InputError, ResourceMissing
from wenzhen.retrieval.kg import DiseaseProfile

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
YES, NO, UNSURE, NOT_RECORDED = 0, 1, 2, 3
Mentions = Literal["per-disease", "shared", "choose"]
MENTIONS: tuple[Mentions, ...] = ("per-disease", "shared", "choose")
FITS: tuple[Mentions, ...] = ("per-disease", "shared")
"""The two ways of fitting that ``choose`` chooses between."""


def answer_code(answer: Answer) -> int:
    return UNSURE if answer is None else YES if answer else NO


def reply_code(reply: Reply) -> int:
    return NOT_RECORDED if reply is UNRECORDED else answer_code(reply)


@dataclass(frozen=True)
class FitSettings:
    smoothing: float = 0.2
    """Pseudo-count added to each answer of each (disease, symptom)."""
    graph_weight: float = 2.0
    """How many records the graph's belief about one (disease, symptom) is worth."""
    miss: float = 0.05
    """P(no | the graph lists the symptom for the disease)."""
    false_yes: float = 0.02
    """P(yes | the graph does not list it)."""
    silent: float = 0.5
    """The graph's P(not mentioned / not recorded): the same for every disease, so it tells nothing."""
    mentions: Mentions = "per-disease"
    """Whether being said up front depends on the disease (per-disease) or on the symptom (shared); choose:
    whichever cross-validates better on the records (per-disease when there are fewer than 10)."""


@dataclass(frozen=True)
class AnswerModel:
    diseases: tuple[str, ...]
    symptoms: tuple[str, ...]
    log_prior: FloatArray
    """log P(disease), shape (diseases,)."""
    stated: FloatArray
    """log P(how the symptom figures in the opening statement | disease), shape (diseases, symptoms, 3)."""
    asked: FloatArray
    """log P(reply when asked | disease), shape (diseases, symptoms, 4)."""

    def __post_init__(self) -> None:
        shape = (len(self.diseases), len(self.symptoms))
        if self.log_prior.shape != shape[:1] or self.stated.shape != (*shape, 3):
            raise InputError(f"an answer model's tables do not match its {shape[0]} diseases")
        if self.asked.shape != (*shape, 4):
            raise InputError(
                f"an answer model's asked table has shape {self.asked.shape}, not {(*shape, 4)} "
                "(yes / no / not sure / not recorded); refit it: wenzhen inquiry fit"
            )

    @cached_property
    def columns(self) -> dict[str, int]:
        """Symptom name -> its column in the tables."""
        return {s: j for j, s in enumerate(self.symptoms)}

    @cached_property
    def nothing_stated(self) -> FloatArray:
        """log P(disease and a statement mentioning no symptom): the base every statement adjusts."""
        return self.log_prior + self.stated[:, :, UNSURE].sum(axis=1)  # type: ignore[no-any-return]

    def log_posterior(self, stated: Mapping[str, Answer], answers: Iterable[tuple[str, Reply]]) -> FloatArray:
        """Unnormalised log posterior over the diseases after an opening statement ``stated`` and closed
        questions ``answers``; symptoms the model does not know tell nothing."""
        log = self.nothing_stated.copy()
        for symptom, answer in stated.items():
            if (j := self.columns.get(symptom)) is not None:
                log += self.stated[:, j, answer_code(answer)] - self.stated[:, j, UNSURE]
        for symptom, reply in answers:
            if (j := self.columns.get(symptom)) is not None:
                log += self.asked[:, j, reply_code(reply)]
        return log

    def told_in_full(self, record: CaseRecord) -> FloatArray:
        """:meth:`log_posterior` when the patient states what ``record`` states and is asked about every
        other symptom of the model."""
        told = {*record.explicit, *record.asked}
        unrecorded = [j for symptom, j in self.columns.items() if symptom not in told]
        return (  # type: ignore[no-any-return]
            self.log_posterior(record.explicit, record.asked.items())
            + self.asked[:, unrecorded, NOT_RECORDED].sum(axis=1)
        )

    def closed_world(self) -> AnswerModel:
        """The model a live patient's answers are read with. A patient answers every question, and what the
        records leave unrecorded a patient would mostly deny, so "not recorded" counts as "no". Read as it
        is fitted, a live "no" would count for the diseases whose records talk about the symptom most.

        >>> from wenzhen.agent.case_records import CaseRecord
        >>> model = fit_answer_model([CaseRecord("肺炎", {"咳嗽": True}, {"发热": True})] * 4)
        >>> asked = np.exp(model.closed_world().asked[0, model.columns["发热"]])
        >>> asked.round(2).tolist()      # yes / no / not sure / not recorded
        [0.87, 0.08, 0.04, 0.0]
        """
        asked = self.asked.copy()
        asked[:, :, NO] = np.logaddexp(asked[:, :, NO], asked[:, :, NOT_RECORDED])
        asked[:, :, NOT_RECORDED] = -np.inf
        return replace(self, asked=asked)

    def save(self, path: Path) -> None:
        """Write the model as one ``.npz`` file (no pickles)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                diseases=np.array(self.diseases),
                symptoms=np.array(self.symptoms),
                log_prior=self.log_prior,
                stated=self.stated,
                asked=self.asked,
            )

    @classmethod
    def load(cls, path: Path) -> AnswerModel:
        if not path.is_file():
            raise ResourceMissing(f"{path}: no answer model there (fit one: wenzhen inquiry fit)")
        try:
            with np.load(path, allow_pickle=False) as data:
                return cls(
                    tuple(str(d) for d in data["diseases"]),
                    tuple(str(s) for s in data["symptoms"]),
                    data["log_prior"],
                    data["stated"],
                    data["asked"],
                )
        except (KeyError, ValueError, OSError) as err:
            raise InputError(f"{path}: not an answer model: {err}") from err


def graph_belief(
    diseases: Sequence[str],
    symptoms: Sequence[str],
    profiles: Mapping[str, DiseaseProfile],
    concepts_of: Callable[[str], set[str]],
) -> BoolArray:
    """``has[d, s]``: the graph lists symptom ``s`` (any of its concepts) for disease ``d``; ``profiles``
    holds the graph's concept profile for each disease it knows (by the records' disease name)."""
    has = np.zeros((len(diseases), len(symptoms)), dtype=bool)
    wanted = [concepts_of(s) for s in symptoms]
    for row, disease in enumerate(diseases):
        profile = profiles.get(disease)
        if profile is not None:
            listed = set(profile.symptoms)
            has[row] = [bool(concepts & listed) for concepts in wanted]
    return has


def fit_answer_model(
    records: Iterable[CaseRecord],
    diseases: Sequence[str] | None = None,
    symptoms: Sequence[str] | None = None,
    graph: BoolArray | None = None,
    settings: FitSettings | None = None,
) -> AnswerModel:
    """Fit from ``records`` (of ``diseases`` only, default: every disease they name), over ``symptoms``
    (default: every symptom they name), with the graph's belief ``graph[d, s]`` if given."""
    settings = settings or FitSettings()
    records = list(records)
    diseases = tuple(diseases if diseases is not None else sorted({r.disease for r in records}))
    row_of = {d: i for i, d in enumerate(diseases)}
    records = [r for r in records if r.disease in row_of]
    if symptoms is None:
        symptoms = sorted({s for r in records for s in r.symptoms})
    symptoms = tuple(symptoms)
    if not diseases or not symptoms:
        raise InputError("nothing to fit: no disease or no symptom (give case records or a disease list)")
    if settings.mentions == "choose":
        settings = replace(
            settings, mentions=choose_mentions(records, diseases, symptoms, graph, settings)[0]
        )
    column = {s: j for j, s in enumerate(symptoms)}
    stated = np.zeros((len(diseases), len(symptoms), 3))
    asked = np.zeros((len(diseases), len(symptoms), 4))
    cases = np.zeros(len(diseases))
    for record in records:
        row = row_of[record.disease]
        cases[row] += 1
        stated[row, :, UNSURE] += 1
        asked[row, :, NOT_RECORDED] += 1
        for name, answer in record.explicit.items():
            if (j := column.get(name)) is not None:
                stated[row, j, UNSURE] -= 1
                stated[row, j, answer_code(answer)] += 1
                asked[row, j, NOT_RECORDED] -= 1  # never asked: it was stated
        for name, answer in record.asked.items():
            if (j := column.get(name)) is not None:
                asked[row, j, NOT_RECORDED] -= 1
                asked[row, j, answer_code(answer)] += 1
    pseudo = np.full_like(stated, settings.smoothing)
    if graph is not None:
        pseudo += settings.graph_weight * _graph_answers(graph, settings)
    asked_pseudo = np.insert(pseudo, UNSURE, settings.smoothing, axis=2)  # the graph: never "not sure"
    log_prior = np.log((cases + 1) / (cases.sum() + len(diseases)))
    if settings.mentions == "shared":
        tables = _shared_mentions(stated, asked, cases, asked_pseudo)
        return AnswerModel(diseases, symptoms, log_prior, *tables)
    return AnswerModel(
        diseases,
        symptoms,
        log_prior,
        _log_normalised(stated + pseudo),
        _log_normalised(asked + asked_pseudo),
    )


def choose_mentions(
    records: Sequence[CaseRecord],
    diseases: Sequence[str],
    symptoms: Sequence[str],
    graph: BoolArray | None = None,
    settings: FitSettings | None = None,
    folds: int = 5,
) -> tuple[Mentions, dict[Mentions, float]]:
    """The fit that names the right disease more often, told each held-out record in full (per-disease on
    a tie), and each fit's cross-validated accuracy over the records of ``diseases``; per-disease, untried,
    with fewer than 10 of them."""
    records = [r for r in records if r.disease in diseases]
    if len(records) < 10:
        return "per-disease", {}
    settings = settings or FitSettings()
    scores: dict[Mentions, float] = {}
    for mentions in FITS:
        fit = replace(settings, mentions=mentions)
        right = 0
        for train, test in split_folds(records, folds):
            model = fit_answer_model(train, diseases, symptoms, graph, fit)
            row_of = {d: i for i, d in enumerate(model.diseases)}
            right += sum(int(np.argmax(model.told_in_full(r))) == row_of[r.disease] for r in test)
        scores[mentions] = right / len(records)
    return "shared" if scores["shared"] > scores["per-disease"] else "per-disease", scores


def _shared_mentions(
    stated: FloatArray, asked: FloatArray, cases: FloatArray, pseudo: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The log tables when being said up front depends on the symptom and the answer, not the disease:
    P(yes / no / not sure / not recorded | disease) from every record, P(said up front | yes or no) over
    all diseases."""
    known = stated[:, :, :UNSURE] + asked[:, :, :UNSURE]
    unsure = asked[:, :, UNSURE:NOT_RECORDED]
    rest = cases[:, None, None] - known.sum(axis=2, keepdims=True) - unsure
    recorded = np.concatenate([known, unsure, rest], axis=2) + pseudo
    answer = recorded / recorded.sum(axis=2, keepdims=True)
    said = (stated[:, :, :UNSURE].sum(axis=0) + 0.5) / (known.sum(axis=0) + 1)
    up_front = answer[:, :, :UNSURE] * said
    not_said = 1 - up_front.sum(axis=2, keepdims=True)
    when_asked = np.concatenate([answer[:, :, :UNSURE] * (1 - said), answer[:, :, UNSURE:]], axis=2)
    return np.log(np.concatenate([up_front, not_said], axis=2)), np.log(when_asked / not_said)


def _graph_answers(has: BoolArray, settings: FitSettings) -> FloatArray:
    """The graph's pseudo-answers, yes / no / silent (not mentioned, not recorded)."""
    yes = np.where(has, 1 - settings.miss, settings.false_yes) * (1 - settings.silent)
    no = (1 - settings.silent) - yes
    return np.stack([yes, no, np.full_like(yes, settings.silent)], axis=2)


def _log_normalised(counts: FloatArray) -> FloatArray:
    return np.log(counts / counts.sum(axis=2, keepdims=True))  # type: ignore[no-any-return]
