"""Each evaluation as a report section: it runs the evaluation on what it is given, writes its raw rows and
plots into the report folder, and names its figures.

>>> section = kgqa_section([], Path("."))                         # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path
from typing import Any

from wenzhen.agent.answer_eval import AnswerScore, AnswersReport, evaluate_answers
from wenzhen.agent.answer_model import FitSettings
from wenzhen.agent.case_inquiry import CaseInquiryParameters
from wenzhen.agent.case_records import CaseRecord
from wenzhen.agent.consultant import Consultant
from wenzhen.agent.diagnosis_eval import GraphBelief, evaluate_diagnosis
from wenzhen.agent.evaluation import evaluate_graph_inquiry, evaluate_triage, read_triage_cases, sample_cases
from wenzhen.agent.exam import read_exam
from wenzhen.agent.exam_eval import Prediction, run_mcq, summarise, wilson
from wenzhen.agent.exam_grounding import MODES, Grounding
from wenzhen.agent.exam_scoring import Scorer
from wenzhen.agent.faithfulness import graph_names
from wenzhen.agent.inquiry import InquiryParameters
from wenzhen.agent.kgqa import KgAnswer, as_rows, summary
from wenzhen.agent.locations import BodyLocations
from wenzhen.agent.report import Section
from wenzhen.agent.report_plots import bars, lines
from wenzhen.agent.session import Reply
from wenzhen.agent.simulator import Case, LayWords, SimulatedPatient
from wenzhen.agent.triage import Triage
from wenzhen.retrieval.evaluation import EvalQuery, evaluate
from wenzhen.retrieval.kg import DiseaseProfile, KGRetriever
from wenzhen.retrieval.search import LiteratureSearcher

BUDGETS = (0, 1, 2, 4, 6)
"""Question budgets the inquiry is run at, for accuracy against questions asked."""
DIAGNOSIS_BUDGETS = (0, 2, 4, 6)
CHOSEN_FIT = FitSettings(mentions="choose")


def _jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path.name


def triage_section(triage: Triage, files: Sequence[Path], out: Path) -> Section:
    rows: list[dict[str, Any]] = []
    sensitivity: dict[str, tuple[float, float, float]] = {}
    alarms: dict[str, tuple[float, float, float]] = {}
    figures: dict[str, float] = {}
    raw: list[str] = []
    for path in files:
        report = evaluate_triage(triage, read_triage_cases(path))
        name = path.stem
        rows.append(
            {
                "file": name,
                "emergencies caught": f"{report.caught}/{report.emergencies}",
                "false alarms": f"{report.false_alarms}/{report.ordinary}",
                "urgent sent today": f"{report.urgent_caught}/{report.urgent}",
            }
        )
        sensitivity[f"{name} sens."] = (report.recall, *wilson(report.caught, report.emergencies))
        rate = report.false_alarms / report.ordinary if report.ordinary else 0.0
        alarms[f"{name} alarms"] = (rate, *wilson(report.false_alarms, report.ordinary))
        figures |= {f"triage/{name}/sensitivity": report.recall, f"triage/{name}/false_alarm_rate": rate}
        misses = [{"file": name, "missed": t} for t in report.misses] + [
            {"file": name, "alarm": t} for t in report.alarms
        ]
        raw.append(_jsonl(out / f"triage-{name}.jsonl", misses))
    plot = bars(
        out / "triage.png", "share (95% CI)", sensitivity | alarms, "Triage: sensitivity and false alarms"
    )
    return Section(
        "Red-flag triage",
        rows,
        [plot],
        raw,
        "Errors (missed emergencies, false alarms) in the raw files.",
        figures,
    )


def kgqa_section(answers: Sequence[KgAnswer], out: Path) -> Section:
    result = summary(answers)
    rows = [
        {
            "group": name,
            "questions": r["questions"],
            "precision": r["precision"],
            "recall": r["recall"],
            "f1": r["f1"],
        }
        for name, r in result.items()
    ]
    values = {
        name.split(":")[-1]: (r["f1"], r["f1_low"], r["f1_high"])
        for name, r in result.items()
        if name != "all"
    }
    plot = bars(out / "kgqa.png", "mean F1 (95% CI)", values, "Graph questions: F1 by relation and form")
    figures = {f"kgqa/{name}/f1": r["f1"] for name, r in result.items()}
    return Section(
        "Graph question answering",
        rows,
        [plot],
        [_jsonl(out / "kgqa.jsonl", as_rows(answers))],
        "Questions made from the graph, answered through the agent's graph path.",
        figures,
    )


def mcq_section(
    files: Sequence[Path],
    limit: int | None,
    grounding: Grounding,
    scorer: Scorer,
    out: Path,
    on_progress: Callable[[int, int], None] | None = None,
) -> Section:
    rows: list[dict[str, Any]] = []
    values: dict[str, tuple[float, float, float]] = {}
    figures: dict[str, float] = {}
    raw = []
    chances: list[float] = []
    for path in files:
        questions, _ = read_exam(path)
        chances += [1 / len(q.options) for q in questions[:limit] if len(q.answer) == 1 and q.options]
        predictions_file = out / f"mcq-{path.stem}.jsonl"
        predictions: list[Prediction] = run_mcq(
            questions[:limit],
            [],
            MODES,
            grounding,
            scorer,
            predictions_file,
            on_progress,
        )
        raw.append(predictions_file.name)
        for s in summarise(predictions, MODES):
            rows.append(
                {
                    "exam": path.stem,
                    "grounding": s.mode,
                    "accuracy": s.accuracy,
                    "questions": s.total,
                    "95% CI": f"{s.low:.3f}-{s.high:.3f}",
                    "vs none": "" if s.mode == "none" else f"+{s.gained} -{s.lost}, p={s.p_value:.3g}",
                }
            )
            values[f"{path.stem[:20]} {s.mode}"] = (s.accuracy, s.low, s.high)
            figures[f"mcq/{path.stem}/{s.mode}/accuracy"] = s.accuracy
    chance = sum(chances) / len(chances) if chances else None
    title = f"Exams by grounding ({scorer.name} scorer)"
    plot = bars(out / "mcq.png", "accuracy (95% CI)", values, title, reference=("chance", chance))
    return Section(
        "Multiple-choice exams",
        rows,
        [plot],
        raw,
        "Gains over no grounding are paired (McNemar's exact test on the same questions).",
        figures,
    )


def retrieval_section(searcher: LiteratureSearcher, queries: list[EvalQuery], out: Path) -> Section:
    results = evaluate(searcher, queries)
    rows = [
        {"mode": mode, **{f"recall@{k}": v for k, v in s.recall.items()}, "MRR": s.mrr}
        for mode, s in results.items()
    ]
    series: dict[str, list[tuple[float, float]]] = {
        str(mode): [(float(k), v) for k, v in s.recall.items()] for mode, s in results.items()
    }
    plot = lines(out / "retrieval.png", "k", "recall@k", series, "Literature retrieval")
    figures = {f"retrieval/{mode}/recall@{k}": v for mode, s in results.items() for k, v in s.recall.items()}
    return Section("Literature retrieval", rows, [plot], [], f"{len(queries)} queries.", figures)


def inquiry_section(
    kg: KGRetriever,
    profiles: list[DiseaseProfile],
    cases: list[Case],
    parameters: InquiryParameters,
    lay: dict[str, tuple[str, ...]],
    out: Path,
    seed: int = 0,
) -> Section:
    """Top-1 against questions asked, at each budget, read as a consultation reads (places included)."""
    places = BodyLocations.load()
    rows, series, figures = [], {}, {}
    patients: list[tuple[str, str, dict[str, tuple[str, ...]] | None, bool]] = [
        ("graph", "graph terms", None, False),
        ("lay", "everyday words", lay, False),
        ("relative", "a relative's words", lay, True),
    ]
    for short, label, words, relatives in patients:
        points = []
        for budget in BUDGETS:
            budgeted = replace(parameters, max_questions=budget)
            report = evaluate_graph_inquiry(kg, profiles, cases, budgeted, seed, words, places, relatives)
            rows.append(
                {
                    "patients say": label,
                    "budget": budget,
                    **{
                        k: v
                        for k, v in asdict(report).items()
                        if k in ("cases", "top1", "top3", "mean_questions")
                    },
                }
            )
            points.append((report.mean_questions, report.top1))
            figures[f"inquiry/{label}/budget{budget}/top1"] = report.top1
        series[short] = points
    plot = lines(out / "inquiry.png", "questions asked (mean)", "top-1 accuracy", series, "Inquiry")
    return Section(
        "Inquiry (simulated patients)",
        rows,
        [plot],
        [],
        "The same cases at each question budget; patients who speak the graph's terms, everyday words, and"
        " everyday words told by a relative who is not always sure.",
        figures,
    )


def simulated_answers(
    consultant: Consultant, cases: int, seed: int, lay: LayWords
) -> tuple[AnswersReport, list[tuple[Reply, AnswerScore]]]:
    """``cases`` simulated consultations from the graph (every other patient in everyday words) to their
    answers, each answer scored without a judge."""
    from rich.progress import track

    from wenzhen.core.console import err_console

    kg = consultant.tools.kg
    profiles = {p.disease: p for p in kg.concept_profiles()}
    items = sample_cases(list(profiles.values()), cases, seed)

    def consultations() -> Iterator[tuple[Callable[[str], Reply], SimulatedPatient]]:
        for number, case in enumerate(track(items, "consultations", console=err_console)):
            speech = lay if number % 2 else None
            patient = SimulatedPatient(
                profiles[case.disease], case.opening_symptom, kg.dictionary, seed, speech
            )
            yield partial(consultant.reply, consultant.start_session()), patient

    return evaluate_answers(
        consultations(), graph_names(kg.dictionary.link), consultant.settings.max_questions + 2
    )


def answers_section(consultant: Consultant, cases: int, seed: int, lay: LayWords, out: Path) -> Section:
    report, scored = simulated_answers(consultant, cases, seed, lay)
    result = report.summary()
    numbers = {name: float(value) for name, value in result.items() if isinstance(value, int | float)}
    rows: list[dict[str, Any]] = [{"score": name, "value": value} for name, value in numbers.items()]
    rows += [{"score": f"withheld: {reason}", "value": count} for reason, count in report.withheld.items()]
    shares = {
        name.removesuffix("_share"): (v, v, v) for name, v in numbers.items() if name.endswith("_share")
    }
    plot = bars(out / "answers.png", "share of answers (or sentences)", shares, "Answers, judge-free")
    raw = _jsonl(out / "answers.jsonl", ({"reply": r.model_dump(), "score": asdict(s)} for r, s in scored))
    figures = {f"answers/{name}": value for name, value in numbers.items()}
    return Section(
        "Answers (simulated consultations)",
        rows,
        [plot],
        [raw],
        f"{cases} consultations; every other patient speaks everyday words.",
        figures,
    )


def diagnosis_section(
    name: str, records: Sequence[CaseRecord], graph: GraphBelief, out: Path, seed: int = 0, folds: int = 5
) -> Section:
    rows, points, figures = [], [], {}
    most = CaseInquiryParameters(max_questions=max(DIAGNOSIS_BUDGETS))
    run = evaluate_diagnosis(records, "both", folds, seed, most, CHOSEN_FIT, graph)
    for budget in DIAGNOSIS_BUDGETS:
        report = run.report(budget)
        rows.append(
            {
                "records": name,
                "budget": budget,
                "accuracy": report.accuracy,
                "implicit recall": report.implicit_recall,
                "questions": report.mean_questions,
            }
        )
        points.append((report.mean_questions, report.accuracy))
        figures[f"diagnosis/{name}/budget{budget}/accuracy"] = report.accuracy
    plot = lines(
        out / f"diagnosis-{name}.png",
        "questions asked (mean)",
        "accuracy",
        {name: points},
        f"Diagnosis benchmark: {name}",
    )
    return Section(
        f"Diagnosis benchmark: {name}",
        rows,
        [plot],
        [],
        f"Graph and case records together, {folds}-fold cross-validation over the records given; how a "
        "symptom comes to be said up front is fitted per disease or per symptom, whichever cross-validates "
        "better within each training fold (--mentions choose).",
        figures,
    )
