"""``wenzhen chat`` and the agent's evaluations (``wenzhen eval inquiry|triage|make-cases``).

wenzhen chat                                   # interactive; /reset starts over, /quit leaves
wenzhen chat --say "我最近右上腹隐痛，还乏力" --say "没有了"     # scripted
wenzhen eval make-cases --n 300 --seed 0 --out cases.jsonl
wenzhen eval inquiry cases.jsonl
wenzhen eval triage agent/data/triage_cases.jsonl
wenzhen eval diagnosis ../shared/data/eval/diagnosis/dxy/train.jsonl [--text]
wenzhen inquiry fit records.jsonl --out answers.npz [--diseases department.txt]
wenzhen eval dialogue cmd_samples.json --out cmd.json --limit 10 [--judge-url URL]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from wenzhen.core.console import counted_progress, err_console
from wenzhen.core.errors import InputError
from wenzhen.core.params import one_of

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from wenzhen.agent.answer_model import BoolArray
    from wenzhen.agent.case_records import Answer, CaseRecord
    from wenzhen.agent.consultant import Consultant
    from wenzhen.agent.diagnosis_eval import GraphBelief, ReaderFactory
    from wenzhen.agent.exam_scoring import Scorer
    from wenzhen.agent.session import Reply
    from wenzhen.retrieval.kg import DiseaseProfile, KGRetriever, Mention

KIND_LABEL = {"question": "追问", "answer": "回答", "emergency": "急症提示", "declined": "超出范围"}


URGENCY_LABEL = {"emergency": "紧急程度：急症，立即呼叫120", "urgent": "紧急程度：请今天就医"}


def _print_reply(reply: Reply) -> None:
    if reply.urgency in URGENCY_LABEL:
        err_console.print(
            f"[bold red]（{URGENCY_LABEL[reply.urgency]}；红旗征：{reply.red_flag}）[/bold red]"
        )
    if reply.candidates and reply.kind in ("question", "answer"):
        leading = "，".join(f"{c.disease} {c.probability:.0%}" for c in reply.candidates[:3])
        err_console.print(f"[dim]候选疾病：{leading}[/dim]")
    for citation in reply.citations:
        where = f"{citation.source}:{citation.line}" if citation.line is not None else (citation.source or "")
        shown = f"《{citation.title}》" if citation.title else citation.text[:60]
        err_console.print(f"[dim][{citation.id}] {escape(shown)}  ({escape(where)})[/dim]")


def _turn(consultant: Consultant, session: str, text: str) -> Reply:
    typer.echo(f"患者：{text}")
    typer.echo("医生：", nl=False)
    for part in consultant.stream(session, text):
        if isinstance(part, str):
            typer.echo(part, nl=False)
        else:
            typer.echo("")
            err_console.print(f"[dim]（{KIND_LABEL[part.kind]}）[/dim]")
            _print_reply(part)
            return part
    raise RuntimeError("the consultant ended a turn without a reply")


def _simulate(consultant: Consultant, disease: str, opening: str | None) -> None:
    """A simulated patient with ``disease`` (answers from the graph) consults until the agent answers."""
    from wenzhen.agent.simulator import SimulatedPatient

    profile = next((p for p in consultant.tools.kg.concept_profiles() if p.disease == disease), None)
    if profile is None:
        raise InputError(f"no disease named {disease!r} with symptoms in the graph")
    concept = consultant.tools.kg.concepts.concept_of(opening) if opening is not None else profile.symptoms[0]
    if concept not in profile.symptoms:
        raise InputError(
            f"{opening!r} is not a symptom of {disease} in the graph: {'、'.join(profile.symptoms)}"
        )
    patient = SimulatedPatient(profile, concept, consultant.tools.kg.dictionary)  # questions use names
    session, text = consultant.start_session(), patient.opening_message()
    err_console.print(f"[dim]模拟患者：所患疾病（对医生隐藏）为 {disease}[/dim]")
    for _ in range(consultant.settings.max_questions + 1):
        reply = _turn(consultant, session, text)
        if reply.kind != "question":
            return
        text = patient.answer(reply.text)


def chat(
    say: Annotated[
        list[str] | None, typer.Option("--say", help="A patient message; repeat for a scripted consultation.")
    ] = None,
    simulate: Annotated[
        str | None,
        typer.Option(help="Let a simulated patient with this disease answer from the graph (e.g. 肝硬化)."),
    ] = None,
    opening: Annotated[str | None, typer.Option(help="The simulated patient's opening symptom.")] = None,
) -> None:
    """A consultation in the terminal: follow-up questions, then an answer with citations.

    Needs a loaded graph (`wenzhen kg load --demo`); uses the literature index
    if built (`wenzhen index build --demo`) and the demo model unless configured otherwise.

    `--simulate DISEASE` runs a whole consultation with a simulated patient
    who has DISEASE and answers truthfully from the graph.
    """
    from wenzhen.agent.answer_text import UNFINISHED
    from wenzhen.agent.consultant import Consultant

    err_console.print("[dim]正在加载知识图谱、文献索引和模型…[/dim]")
    with Consultant.from_config() as consultant:
        with err_console.status("[dim]正在准备模型（第一次运行时需要几分钟）…[/dim]"):
            consultant.warm_up()  # before the consultation: nothing is provisioned mid-reply
        session = consultant.start_session()
        if simulate:
            _simulate(consultant, simulate, opening)
            return
        if say:
            replies = [_turn(consultant, session, text) for text in say]
            if replies[-1].kind == "question":  # the script ended before the answer
                err_console.print(f"[yellow]{UNFINISHED}[/yellow]")
            return
        err_console.print("请描述您的症状或问题。/reset 重新开始，/quit 退出。")
        while True:
            try:
                text = input("> ").strip()
            except (EOFError, KeyboardInterrupt):
                break
            if text == "/quit":
                break
            if text == "/reset":
                session = consultant.start_session()
                err_console.print("[dim]已开始新的问诊。[/dim]")
            elif text:
                try:
                    _turn(consultant, session, text)
                except InputError as err:  # an empty or too long message: say so, and go on
                    err_console.print(f"[red]{escape(str(err))}[/red]")


def _profiles_and_linker(meaning: bool = False) -> tuple[list[DiseaseProfile], KGRetriever]:
    """The graph's disease profiles over symptom concepts and a linker with its dictionary loaded (usable
    once the store closes); with ``meaning``, it also links symptoms by meaning (loads the embedder)."""
    from wenzhen.kg_loader.store import open_store
    from wenzhen.retrieval.kg import KGRetriever

    with open_store(read_only=True) as store:
        kg = KGRetriever(store)
        profiles = kg.concept_profiles()
        kg.dictionary  # noqa: B018  (loaded now, while the store is open)
    if meaning:
        kg.meaning = _concept_meaning(kg)
    return profiles, kg


def _concept_meaning(kg: KGRetriever) -> Callable[[str, Sequence[Mention]], list[Mention]]:
    """Linking symptoms by meaning over ``kg``'s concepts, as a consultation does (loads the embedder)."""
    from wenzhen.retrieval.concept_meaning import ConceptMeaning
    from wenzhen.retrieval.config import RetrievalSettings
    from wenzhen.retrieval.embedder import load_query_embedder
    from wenzhen.retrieval.indexer import model_name

    settings = RetrievalSettings()
    model = load_query_embedder(settings)
    return ConceptMeaning.build(kg.concepts, model, model_name(settings), settings.cache_dir).link


def make_cases(
    out: Annotated[Path, typer.Option("--out", help="JSONL file to write.")],
    n: Annotated[int, typer.Option("--n", help="How many cases.")] = 300,
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = 0,
) -> None:
    """Sample simulated-patient cases {disease, opening_symptom} from the loaded graph (diseases with ≥ 2
    symptoms)."""
    from wenzhen.agent.evaluation import sample_cases, write_cases

    profiles, _ = _profiles_and_linker()
    cases = sample_cases(profiles, n, seed)
    write_cases(cases, out)
    err_console.print(f"wrote {len(cases)} cases to {out}")


def inquiry(
    cases: Annotated[Path, typer.Argument(help="JSONL of {disease, opening_symptom}.", exists=True)],
    seed: Annotated[int, typer.Option(help="Seed of the patients' open answers.")] = 0,
    lay_words: Annotated[
        Path | None,
        typer.Option(help="Everyday phrasings the lay patients use (default: agent/data/lay_patient.tsv)."),
    ] = None,
    meaning: Annotated[
        bool,
        typer.Option("--meaning/--no-meaning", help="Link symptoms by meaning too, as a consultation does."),
    ] = True,
    locations: Annotated[
        bool,
        typer.Option(
            "--locations/--no-locations",
            help="Read where the patient says it is, unprompted (右上腹, 心口), as a consultation does.",
        ),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Simulated patients from the graph: top-1/top-3 accuracy and questions asked, for the configured policy
    and its closed-questions-only variant, against a no-inquiry baseline, in one run; once with patients who
    speak the graph's terms, once with patients who speak everyday words (and answer a closed question
    with a bare 有的/没有), and once with the same words told by a relative who is not always sure (我爸最近…;
    好像有, 应该没有吧), writing for someone in the disease's population (孩子这两天… for a children's
    disease)."""
    from wenzhen.agent.config import AgentSettings
    from wenzhen.agent.consultant import inquiry_parameters
    from wenzhen.agent.evaluation import evaluate_graph_inquiry, inquiry_modes, read_cases
    from wenzhen.agent.locations import BodyLocations
    from wenzhen.agent.simulator import LayWords, lay_patient_path

    items = read_cases(cases)
    lay = LayWords.read(lay_words or lay_patient_path()).phrasings
    places = BodyLocations.load() if locations else None
    profiles, kg = _profiles_and_linker(meaning)
    patients = [(None, False), (lay, False), (lay, True)]  # graph terms, everyday words, told by a relative
    reports = [
        evaluate_graph_inquiry(kg, profiles, items, params, seed, words, places, relatives)
        for words, relatives in patients
        for params in inquiry_modes(inquiry_parameters(AgentSettings()))
    ]
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in reports], ensure_ascii=False))
        return
    typer.echo(f"{reports[0].cases} cases ({reports[0].skipped} skipped: not in the graph)")
    for patient in dict.fromkeys(r.patient for r in reports):
        first = next(r for r in reports if r.patient == patient)
        typer.echo(f"patients speaking {patient}:")
        baseline = "  baseline (opening symptom only)"
        typer.echo(f"{baseline:<36} top-1 {first.baseline_top1:.3f}  top-3 {first.baseline_top3:.3f}")
        for r in reports:
            if r.patient == patient:
                typer.echo(
                    f"  {r.mode:<34} top-1 {r.top1:.3f}  top-3 {r.top3:.3f}  questions {r.mean_questions:.2f}"
                )


def _read_records(paths: list[Path]) -> list[CaseRecord]:
    """Every well-formed record of ``paths``; each rejected row is reported (file:line: reason)."""
    from wenzhen.agent.case_records import read_case_records

    records: list[CaseRecord] = []
    for path in paths:
        found, issues = read_case_records(path)
        records += found
        for issue in issues:
            err_console.print(f"[yellow]skipped {escape(str(issue))}[/yellow]")
    if not records:
        raise InputError(f"no case record in {', '.join(map(str, paths))}")
    return records


DISEASE_PREFIXES = ("小儿", "新生儿", "婴儿")
"""Dropped from a record's disease name the graph does not know (小儿腹泻 -> 腹泻)."""


def _graph_view(diseases: list[str], text: bool) -> tuple[GraphBelief, ReaderFactory | None, list[str]]:
    """The graph seen through the records' names: what it lists for each disease (as ``graph_belief``),
    with ``text`` a factory of statement readers that use its phrasings too, and the diseases it lacks."""
    from wenzhen.agent.answer_model import graph_belief
    from wenzhen.agent.statement_reader import StatementReader
    from wenzhen.kg_loader.schema import Label

    profiles, kg = _profiles_and_linker()
    by_name = {p.disease: p for p in profiles}
    entries = kg.dictionary.entries

    def graph_name(disease: str) -> str | None:
        for name in (disease, *(disease.removeprefix(p) for p in DISEASE_PREFIXES if disease.startswith(p))):
            if name in by_name:
                return name
            label, resolved = entries.get(name, (None, ""))
            if label is Label.DISEASE and resolved in by_name:
                return resolved
        return None

    resolved = {d: by_name[name] for d in diseases if (name := graph_name(d)) is not None}

    def belief(names: Sequence[str], symptoms: Sequence[str]) -> BoolArray:
        return graph_belief(names, symptoms, resolved, kg.concepts_named)

    def reader(train: list[CaseRecord], symptoms: Sequence[str]) -> Callable[[CaseRecord], dict[str, Answer]]:
        learnt = StatementReader.learn(train, symptoms, kg.link, kg.concepts_named)
        return lambda record: learnt.read(record.self_report or "")

    return belief, reader if text else None, [d for d in diseases if d not in resolved]


def _disease_list(path: Path) -> list[str]:
    """One disease a line; blank lines and ``#`` comments skipped."""
    from wenzhen.core.files import decode_file

    names = [line.strip() for line in decode_file(path).text.splitlines()]
    diseases = list(dict.fromkeys(n for n in names if n and not n.startswith("#")))
    if not diseases:
        raise InputError(f"{path}: no disease named (one a line)")
    return diseases


MentionsOption = Annotated[
    str,
    typer.Option(
        help="Is being said up front learnt per disease (per-disease), per symptom over every disease "
        "(shared), or whichever cross-validates better on the records (choose)?"
    ),
]


def fit_answers(
    records: Annotated[
        list[Path], typer.Argument(help="Case records, JSONL ({disease, explicit_symptoms, …}).", exists=True)
    ],
    out: Annotated[Path, typer.Option("--out", help="Where to write the model (.npz).")],
    diseases: Annotated[
        Path | None,
        typer.Option(help="Only these diseases, one a line (a department's); default: every one recorded."),
    ] = None,
    graph: Annotated[
        bool, typer.Option("--graph/--no-graph", help="Combine with what the loaded graph lists.")
    ] = True,
    smoothing: Annotated[float, typer.Option(help="Pseudo-count per answer.")] = 0.2,
    graph_weight: Annotated[float, typer.Option(help="How many records the graph's belief is worth.")] = 2.0,
    mentions: MentionsOption = "per-disease",
) -> None:
    """Fit the inquiry's answer model from case records (and the graph): its priors, and how a patient with
    each disease states or answers each symptom. Point the consultation at it with WENZHEN_ANSWER_MODEL (or
    answer_model in the \\[agent] table): it then asks over these diseases and symptoms only.

    Check first how well it would do: wenzhen eval diagnosis RECORDS (cross-validated)."""
    from wenzhen.agent.answer_model import MENTIONS, FitSettings, choose_mentions, fit_answer_model

    items = _read_records(records)
    wanted = _disease_list(diseases) if diseases is not None else sorted({r.disease for r in items})
    left_out = sum(r.disease not in wanted for r in items)
    if left_out:
        err_console.print(f"[dim]{left_out} records of diseases not on the list left out[/dim]")
    unrecorded = sorted(set(wanted) - {r.disease for r in items})
    if unrecorded:
        err_console.print(f"[yellow]diseases on the list with no record: {'，'.join(unrecorded)}[/yellow]")
    belief = None
    if graph:
        belief, _, missing = _graph_view(wanted, text=False)
        if missing:
            err_console.print(f"[dim]diseases the graph does not know: {'，'.join(missing)}[/dim]")
    symptoms = sorted({s for r in items if r.disease in wanted for s in r.symptoms})
    beliefs = belief(wanted, symptoms) if belief is not None else None
    settings = FitSettings(
        smoothing=smoothing, graph_weight=graph_weight, mentions=one_of("--mentions", mentions, MENTIONS)
    )
    if settings.mentions == "choose":
        chosen, scores = choose_mentions(items, wanted, symptoms, beliefs, settings)
        settings = replace(settings, mentions=chosen)
        told = "，".join(f"{k} {v:.3f}" for k, v in scores.items()) or "fewer than 10 records"
        err_console.print(
            f"mentions: {settings.mentions} (cross-validated, told each record in full: {told})"
        )
    model = fit_answer_model(items, wanted, symptoms, beliefs, settings)
    model.save(out)
    typer.echo(
        f"{len(items) - left_out} records, {len(model.diseases)} diseases, {len(model.symptoms)} symptoms "
        f"-> {out}"
    )


def diagnosis(
    records: Annotated[
        list[Path],
        typer.Argument(help="Case records, JSONL (a benchmark's train.jsonl, dev.jsonl, …).", exists=True),
    ],
    variant: Annotated[
        list[str] | None,
        typer.Option(help="graph, records or both (repeatable; default: all three)."),
    ] = None,
    text: Annotated[
        bool,
        typer.Option(
            "--text", help="Read the patient's own words (self_report) instead of the symptom list."
        ),
    ] = False,
    folds: Annotated[int, typer.Option(help="Cross-validation folds.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the folds.")] = 0,
    max_questions: Annotated[
        list[int] | None,
        typer.Option(
            min=0,
            help="Questions at most per case (default 6); repeatable: one run at the largest reports each "
            "(an inquiry asks the same questions whatever its budget, only stopping sooner).",
        ),
    ] = None,
    confidence: Annotated[
        float, typer.Option(help="Stop asking when the leading disease reaches this probability.")
    ] = 0.95,
    smoothing: Annotated[float, typer.Option(help="Pseudo-count per answer when fitting.")] = 0.2,
    graph_weight: Annotated[float, typer.Option(help="How many records the graph's belief is worth.")] = 2.0,
    mentions: MentionsOption = "per-disease",
    patient: Annotated[
        str,
        typer.Option(
            help="record: the benchmarks' simulated patient, answering from the record; live: a patient who "
            "answers every question, denying what the record lacks, read as a consultation reads one."
        ),
    ] = "record",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The symptom-inquiry benchmarks' protocol (Dxy, MZ-4, MZ-10), cross-validated over the records given:
    the patient states the explicit symptoms, answers the agent's closed questions from the record (yes, no,
    "not sure" for a null, "not recorded" for a symptom it lacks, as the standard simulators tell them
    apart), and the agent names one of the records' diseases. Reports accuracy, recall of
    the implicit symptoms and questions per case, with the answer model fitted from the graph alone, the
    records alone, or both.

    With --text (Dxy) the agent reads the patient's self_report instead of the explicit symptom list, with
    phrasings learnt from the training folds' origin_inform_slots and the graph's symptom concepts. With
    --patient live, the patient is the one a consultation with a fitted model (WENZHEN_ANSWER_MODEL) meets.
    """
    from wenzhen.agent.answer_model import MENTIONS, FitSettings
    from wenzhen.agent.case_inquiry import CaseInquiryParameters
    from wenzhen.agent.diagnosis_eval import PATIENTS, VARIANTS, evaluate_diagnosis

    chosen = [one_of("--variant", name, VARIANTS) for name in variant or VARIANTS]
    who = one_of("--patient", patient, PATIENTS)
    items = _read_records(records)
    if text and not any((r.self_report or "").strip() for r in items):
        raise InputError("--text needs records with a self_report (Dxy has them)")
    diseases = sorted({r.disease for r in items})
    belief, reader, missing = _graph_view(diseases, text)
    if missing:
        err_console.print(f"[dim]diseases the graph does not know: {'，'.join(missing)}[/dim]")
    budgets = sorted(set(max_questions or [6]))
    parameters = CaseInquiryParameters(confidence=confidence, max_questions=budgets[-1])
    settings = FitSettings(
        smoothing=smoothing, graph_weight=graph_weight, mentions=one_of("--mentions", mentions, MENTIONS)
    )
    runs = [
        evaluate_diagnosis(items, name, folds, seed, parameters, settings, belief, reader, who)
        for name in chosen
    ]
    reports = [run.report(budget) for run in runs for budget in budgets]
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in reports], ensure_ascii=False))
        return
    typer.echo(f"{len(items)} records, {len(diseases)} diseases, {folds}-fold cross-validation")
    for r in reports:
        budget = f", at most {r.max_questions} questions" if len(budgets) > 1 else ""
        typer.echo(
            f"  {r.variant:<8} ({r.protocol}, {r.patient} patient{budget}) accuracy {r.accuracy:.3f}  "
            f"implicit recall {r.implicit_recall:.3f}  questions {r.mean_questions:.2f}"
        )


def answers(
    cases: Annotated[
        int, typer.Option(help="Consultations: every other patient speaks everyday words.")
    ] = 100,
    seed: Annotated[int, typer.Option(help="Seed of the cases and the patients' answers.")] = 0,
    lay_words: Annotated[
        Path | None,
        typer.Option(help="Everyday phrasings the lay patients use (default: agent/data/lay_patient.tsv)."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="JSONL of every answer with its scores.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Simulated patients from the graph consult the configured agent (graph, literature, generator) to its
    answer; each answer is scored without a judge: the share of factual sentences that carry a source, answers
    that contradict the final ranking, answers naming a drug or procedure no cited source names, sentences
    telling the patient to stop or change a medicine, structure, length, and the generated sentences the
    checks removed.

    Example: wenzhen eval answers --cases 100 --out answers.jsonl
    """
    from wenzhen.agent.consultant import Consultant
    from wenzhen.agent.report_sections import simulated_answers
    from wenzhen.agent.simulator import LayWords, lay_patient_path

    lay = LayWords.read(lay_words or lay_patient_path(), seed)
    with Consultant.from_config() as consultant:
        report, scored = simulated_answers(consultant, cases, seed, lay)
    if out is not None:
        out.write_text(
            "".join(
                json.dumps({"reply": reply.model_dump(), "score": asdict(score)}, ensure_ascii=False) + "\n"
                for reply, score in scored
            ),
            encoding="utf-8",
        )
    summary = report.summary()
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
        return
    for name, value in summary.items():
        typer.echo(f"{name:<38} {value:.3f}" if isinstance(value, float) else f"{name:<38} {value}")


def triage(
    cases: Annotated[
        Path, typer.Argument(help="JSONL {text, emergency} or a DISC sample JSON.", exists=True)
    ],
    rules: Annotated[
        Path | None, typer.Option(help="A red-flag rule file (default: the packaged one).")
    ] = None,
    rules_only: Annotated[
        bool, typer.Option("--rules-only", help="Without the meaning layer (no embedding model is loaded).")
    ] = False,
) -> None:
    """Red-flag triage over labelled presentations: emergencies caught, false alarms, urgent cases sent to a
    doctor today, and screening questions asked of non-emergencies.

    Cases are JSONL {"text" or "turns": [...], "level": emergency|urgent|routine}, e.g.
    agent/data/triage_dev.jsonl (tuning) and agent/data/triage_aside.jsonl (kept aside), or a DISC sample
    file (every question ordinary)."""
    from wenzhen.agent.evaluation import evaluate_triage, read_triage_cases
    from wenzhen.agent.triage import Triage, meaning_layer
    from wenzhen.retrieval.config import RetrievalSettings

    items = read_triage_cases(cases)
    meaning = None if rules_only else meaning_layer(RetrievalSettings())
    report = evaluate_triage(Triage.load(rules, meaning=meaning), items)
    typer.echo(f"emergencies caught {report.caught}/{report.emergencies} ({report.recall:.0%})")
    typer.echo(
        f"false alarms {report.false_alarms}/{report.ordinary} (an emergency reply to a non-emergency)"
    )
    if report.urgent:
        typer.echo(f"urgent sent to a doctor today {report.urgent_caught}/{report.urgent}")
    typer.echo(f"non-emergencies asked a screening question first {report.screened}/{report.ordinary}")
    for text in report.misses:
        typer.echo(f"  missed: {text}")
    for text in report.alarms:
        typer.echo(f"  false alarm: {text}")
    for text in report.urgent_misses:
        typer.echo(f"  urgent missed: {text}")


def dialogue(
    samples: Annotated[
        Path,
        typer.Argument(help="DISC CMD/CMID/CMB-Clin samples, or CMB-Clin cases (QA_pairs).", exists=True),
    ],
    out: Annotated[Path, typer.Option("--out", help="Transcripts, a JSON list in DISC's dialogue format.")],
    limit: Annotated[int | None, typer.Option(help="Only the first N samples.")] = None,
    patient_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible server for an LLM patient (default: scripted).")
    ] = None,
    patient_model: Annotated[str, typer.Option(help="Model name on --patient-url.")] = "gpt-4",
    judge_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible server for the judge (default: no judging).")
    ] = None,
    judge_model: Annotated[str, typer.Option(help="Model name on --judge-url.")] = "gpt-4",
    api_key: Annotated[
        str, typer.Option(envvar="WENZHEN_EVAL_API_KEY", help="Key for both servers.")
    ] = "EMPTY",
) -> None:
    """DISC's protocol: 3 patient turns per sample against the consultant (a CMB-Clin case: the case, then
    each of its questions in turn), transcripts saved in DISC's format; judge-free scores in
    <out>.auto.jsonl (questions the agent asked, citations per answer, CMB-Clin answers' overlap with the
    reference answers); with --judge-url, DISC's 4-criterion rubric scored 1-5 by the judge, in
    <out>.scores.jsonl.

    Example: wenzhen eval dialogue cmb_clin.json --out cmb.json --limit 20
    """
    from wenzhen.agent.consultant import Consultant, generator_errors
    from wenzhen.agent.dialogue import (
        CRITERIA,
        ModelPatient,
        ScriptedPatient,
        automatic_scores,
        judge,
        read_samples,
        run_dialogue,
    )
    from wenzhen.finetune.chat_model import openai_compatible_chat_model

    items = read_samples(samples)[:limit]
    patient: ModelPatient | ScriptedPatient = (
        ModelPatient(openai_compatible_chat_model(patient_url, patient_model, api_key))
        if patient_url
        else ScriptedPatient()
    )
    records = []
    with Consultant.from_config() as consultant, generator_errors(patient_url):
        for number, sample in enumerate(items, start=1):
            asks = consultant.settings.max_questions + 2  # its inquiry's questions, and the open ones
            records.append(run_dialogue(consultant, sample, patient, "wenzhen", asks))
            out.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
            err_console.print(f"[dim]{number}/{len(items)} {sample.id}[/dim]")
    typer.echo(f"{len(records)} transcripts -> {out}")
    automatic = [automatic_scores(r, s) | {"id": r["id"]} for r, s in zip(records, items, strict=True)]
    out.with_suffix(".auto.jsonl").write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in automatic), encoding="utf-8"
    )
    for name in [k for k in automatic[0] if k != "id"] if automatic else []:
        values = [float(row[name]) for row in automatic if name in row]
        typer.echo(f"{name:<20} {sum(values) / len(values):.3f}  ({len(values)} transcripts)")
    if judge_url is None:
        return
    judge_chat = openai_compatible_chat_model(judge_url, judge_model, api_key)
    with generator_errors(judge_url):
        scored = [
            {"id": r["id"], "model": r["model"], "source": r["source"], **judge(r, judge_chat)}
            for r in records
        ]
    scores_path = out.with_suffix(".scores.jsonl")
    scores_path.write_text(
        "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in scored), encoding="utf-8"
    )
    for criterion in CRITERIA:
        values = [s[criterion] for s in scored if criterion in s]
        mean = sum(values) / len(values) if values else float("nan")
        typer.echo(f"{criterion:<20} {mean:.2f}  ({len(values)} scored)")


def _exam_scorer(chat: BaseChatModel, scorer: str) -> tuple[Scorer, str, str]:
    """The exam scorer over the configured generator: (scorer, the model as a run records it, format)."""
    from wenzhen.agent.exam_scoring import GenerationScorer, LogLikelihoodScorer
    from wenzhen.finetune.chat_model import WenzhenChatModel
    from wenzhen.finetune.demo_model import quiet_transformers

    if isinstance(chat, WenzhenChatModel):
        with quiet_transformers():
            generator = chat.generator()
        model = json.dumps(chat._identifying_params, ensure_ascii=False)
        if scorer == "loglik":
            return LogLikelihoodScorer(generator), model, chat.format_name
        return GenerationScorer.from_generator(generator), model, chat.format_name
    if scorer == "loglik":
        raise InputError(
            "the loglik scorer needs the local model's logits; with a server use --scorer generate"
        )
    return GenerationScorer.from_chat_model(chat), str(getattr(chat, "model_name", "")), "server"


def mcq(
    data: Annotated[
        Path,
        typer.Option(help="CMExam (JSONL) or CNMLEQA (JSON array) questions.", exists=True, dir_okay=False),
    ],
    grounding: Annotated[
        str, typer.Option(help="none | kg | literature | both | all (the four, on the same questions).")
    ] = "all",
    scorer: Annotated[
        str,
        typer.Option(help="loglik (option letters' log-probability; transformers) | generate (reply read)."),
    ] = "loglik",
    shots: Annotated[int, typer.Option(help="Worked examples before each question (drawn by --seed).")] = 0,
    limit: Annotated[
        int | None, typer.Option(help="Only the first N questions (after the examples).")
    ] = None,
    shard: Annotated[str, typer.Option(help="i/n: every n-th question from the i-th (1-based).")] = "1/1",
    seed: Annotated[int, typer.Option(help="Seed of the few-shot examples.")] = 0,
    out: Annotated[
        Path | None,
        typer.Option(help="Predictions JSONL, appended as made; a re-run resumes it (default: beside you)."),
    ] = None,
    wait: Annotated[
        float,
        typer.Option(help="Seconds to wait for another run writing the same --out; 0: give up at once."),
    ] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help="The summary as JSON.")] = False,
) -> None:
    """Exam accuracy of the configured generator with and without grounding in the graph and the literature,
    on the same questions in one run: overall and per question type, each mode's gain over none with
    McNemar's exact test. Resumable (re-run the same command) and shardable (--shard 2/4).

    Example: wenzhen eval mcq --data cmexam_dev.jsonl --limit 300 --grounding all
    """
    from contextlib import ExitStack

    from wenzhen.agent.config import AgentSettings
    from wenzhen.agent.consultant import make_chat_model, open_literature
    from wenzhen.agent.exam import read_exam
    from wenzhen.agent.exam_eval import (
        McqRun,
        Shard,
        run_mcq,
        split_shots,
        summarise,
        summary_lines,
    )
    from wenzhen.agent.exam_grounding import MODES, Grounding
    from wenzhen.core.console import report_issues
    from wenzhen.core.files import file_sha256
    from wenzhen.kg_loader.store import open_store
    from wenzhen.retrieval.config import RetrievalSettings
    from wenzhen.retrieval.kg import KGRetriever

    modes = MODES if grounding == "all" else tuple(m for m in MODES if m == grounding)
    if not modes:
        raise typer.BadParameter(
            f"{grounding!r}: none, kg, literature, both or all", param_hint="--grounding"
        )
    if scorer not in ("loglik", "generate"):
        raise typer.BadParameter(f"{scorer!r}: loglik or generate", param_hint="--scorer")
    part = Shard.parse(shard)
    questions, issues = read_exam(data)
    report_issues(issues, data.name)
    examples, rest = split_shots(questions, shots, seed)
    chosen = part.of(rest[:limit] if limit is not None else rest)
    chat = make_chat_model(AgentSettings())
    scoring, model, fmt = _exam_scorer(chat, scorer)
    suffix = "" if part.count == 1 else f"-shard-{part.index}-of-{part.count}"
    path = out or Path(f"mcq-{data.stem}-{scorer}{suffix}.jsonl")
    grounded = Grounding(None, None)
    McqRun(str(data), file_sha256(data), scorer, shots, seed, limit, model, fmt, grounded.describe()).check(
        path
    )
    with ExitStack() as stack:
        kg = None
        if {"kg", "both"} & set(modes):
            kg = KGRetriever(stack.enter_context(open_store(read_only=True)))
        searcher = open_literature(RetrievalSettings()) if {"literature", "both"} & set(modes) else None
        grounded = replace(grounded, kg=kg, searcher=searcher)
        with counted_progress(f"{data.name} × {len(modes)} modes", eta=True) as on_progress:
            predictions = run_mcq(chosen, examples, modes, grounded, scoring, path, on_progress, wait)
    summaries = summarise(predictions, modes)
    if as_json:
        rows = [asdict(s) | {"accuracy": s.accuracy} for s in summaries]
        typer.echo(
            json.dumps(
                {"questions": len(chosen), "predictions": str(path), "modes": rows}, ensure_ascii=False
            )
        )
        return
    typer.echo(
        f"{len(chosen)} questions ({len(examples)} worked examples, {len(issues)} rows skipped) -> {path}"
    )
    for line in summary_lines(summaries):
        typer.echo(line)


def kgqa(
    questions: Annotated[
        Path | None,
        typer.Option(
            help='JSONL {"question", "answers": [...], "relation", "form"}; default: made from the graph.'
        ),
    ] = None,
    per_relation: Annotated[int, typer.Option(help="Questions made per relation and form.")] = 20,
    seed: Annotated[int, typer.Option(help="Seed of the sample.")] = 0,
    lay_words: Annotated[
        Path | None,
        typer.Option(help="Everyday phrasings of symptoms (default: agent/data/lay_patient_aside.tsv)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="JSONL of every question with its answer and scores.")
    ] = None,
    meaning: Annotated[
        bool,
        typer.Option("--meaning/--no-meaning", help="Link symptoms by meaning too, as a consultation does."),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="The summary as JSON.")] = False,
) -> None:
    """Questions about the graph (什么症状 / 用什么药 / 做什么检查 / 挂什么科 / 有什么并发症,
    by name and by alias, and "which disease" from a symptom in everyday words) answered through the
    agent's graph path; precision, recall and F1 of each answer set against the graph's, overall, per
    relation and per form.

    Example: wenzhen eval kgqa --per-relation 50 --out kgqa.jsonl
    """
    from importlib import resources

    from wenzhen.agent.kgqa import as_rows, evaluate, generate_questions, read_questions, summary
    from wenzhen.agent.simulator import LayWords
    from wenzhen.kg_loader.store import open_store
    from wenzhen.retrieval.kg import KGRetriever

    lay_path = lay_words or Path(str(resources.files("wenzhen.agent.data") / "lay_patient_aside.tsv"))
    with open_store(read_only=True) as store:
        kg = KGRetriever(store)
        if meaning:
            kg.meaning = _concept_meaning(kg)
        if questions is not None:
            asked = read_questions(questions)
        else:
            asked = generate_questions(kg, per_relation, seed, LayWords.read(lay_path).phrasings)
        answers = evaluate(kg, asked)
    if out is not None:
        out.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in as_rows(answers)), encoding="utf-8"
        )
    result = summary(answers)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    for name, row in result.items():
        scores = f"P {row['precision']:.3f}  R {row['recall']:.3f}  F1 {row['f1']:.3f}"
        typer.echo(f"{name:<38} n={row['questions']:<4} {scores}")


def eval_all(
    out: Annotated[Path, typer.Option(help="Report folder: report.md, report.html, PNG plots, raw JSONL.")],
    mcq_files: Annotated[
        list[Path] | None,
        typer.Option("--mcq", help="Exam file (CMExam / CNMLEQA); repeatable.", exists=True),
    ] = None,
    mcq_limit: Annotated[int | None, typer.Option(help="Questions per exam file.")] = 300,
    scorer: Annotated[str, typer.Option(help="loglik | generate (exams).")] = "loglik",
    queries: Annotated[
        Path | None, typer.Option(help='Retrieval queries JSONL {"query", "relevant"}.', exists=True)
    ] = None,
    cases: Annotated[
        Path | None,
        typer.Option(help="Inquiry cases JSONL {disease, opening_symptom} (make-cases).", exists=True),
    ] = None,
    triage_files: Annotated[
        list[Path] | None,
        typer.Option(
            "--triage",
            help="Labelled presentations (default: the kept-aside and development sets).",
            exists=True,
        ),
    ] = None,
    records: Annotated[
        list[Path] | None,
        typer.Option(
            "--records", help="A diagnosis benchmark's case records (train.jsonl); repeatable.", exists=True
        ),
    ] = None,
    answers_cases: Annotated[
        int, typer.Option("--answers", help="Simulated consultations to their answers (0: none).")
    ] = 0,
    kgqa_per_relation: Annotated[int, typer.Option(help="Graph questions per relation and form.")] = 20,
    seed: Annotated[int, typer.Option(help="Seed of the graph questions and the simulated patients.")] = 0,
) -> None:
    """Every evaluation its inputs allow, on the current configuration, into one report with plots: triage
    (always), graph questions (always), exams (--mcq), literature retrieval (--queries), inquiry against the
    number of questions (--cases), diagnosis benchmarks against the number of questions (--records), answers
    of simulated consultations (--answers N). Re-running into the same folder resumes the exams.

    Example: wenzhen eval all --out report/ --mcq cmexam_dev.jsonl --cases cases.jsonl
    """
    from contextlib import ExitStack
    from importlib import resources

    from wenzhen.agent.config import AgentSettings
    from wenzhen.agent.consultant import Consultant, inquiry_parameters, make_chat_model, open_literature
    from wenzhen.agent.evaluation import read_cases
    from wenzhen.agent.exam_grounding import Grounding
    from wenzhen.agent.kgqa import evaluate, generate_questions
    from wenzhen.agent.report import Section, manifest, write_report
    from wenzhen.agent.report_sections import (
        answers_section,
        diagnosis_section,
        inquiry_section,
        kgqa_section,
        mcq_section,
        retrieval_section,
        triage_section,
    )
    from wenzhen.agent.simulator import LayWords
    from wenzhen.agent.triage import Triage, meaning_layer
    from wenzhen.finetune.chat_model import WenzhenChatModel
    from wenzhen.kg_loader.store import open_store
    from wenzhen.retrieval.config import RetrievalSettings
    from wenzhen.retrieval.evaluation import read_queries
    from wenzhen.retrieval.kg import KGRetriever

    data = resources.files("wenzhen.agent.data")
    triage_paths = triage_files or [
        Path(str(data / "triage_aside.jsonl")),
        Path(str(data / "triage_dev.jsonl")),
    ]
    lay_path = Path(str(data / "lay_patient_aside.tsv"))
    out.mkdir(parents=True, exist_ok=True)
    sections: list[Section] = []
    generator: dict[str, Any] = {}
    with ExitStack() as stack:
        err_console.print("triage …")
        triage = Triage.load(meaning=meaning_layer(RetrievalSettings()))  # rules and meaning, as consulted
        sections.append(triage_section(triage, triage_paths, out))
        kg = KGRetriever(stack.enter_context(open_store(read_only=True)))
        kg.meaning = _concept_meaning(kg)
        err_console.print("graph questions …")
        lay = LayWords.read(lay_path).phrasings
        sections.append(kgqa_section(evaluate(kg, generate_questions(kg, kgqa_per_relation, seed, lay)), out))
        searcher = open_literature(RetrievalSettings())
        if queries is not None and searcher is not None:
            err_console.print("literature retrieval …")
            sections.append(retrieval_section(searcher, read_queries(queries), out))
        if cases is not None:
            err_console.print("inquiry …")
            params = inquiry_parameters(AgentSettings())
            sections.append(
                inquiry_section(kg, kg.concept_profiles(), read_cases(cases), params, lay, out, seed)
            )
        for path in records or []:
            err_console.print(f"diagnosis: {path} …")
            items = _read_records([path])
            belief, _, _ = _graph_view(sorted({r.disease for r in items}), False)
            sections.append(diagnosis_section(path.parent.name or path.stem, items, belief, out, seed))
        if answers_cases:
            with Consultant.from_config() as consultant:
                sections.append(
                    answers_section(consultant, answers_cases, seed, LayWords.read(lay_path), out)
                )
        if mcq_files:
            chat = make_chat_model(AgentSettings())
            if not isinstance(chat, WenzhenChatModel):
                raise InputError(
                    "eval all scores exams on the local model (loglik); use eval mcq for a server"
                )
            scoring, _, _ = _exam_scorer(chat, scorer)
            generator = chat._identifying_params
            with counted_progress("exams", eta=True) as on_progress:
                grounding = Grounding(kg, searcher)
                sections.append(mcq_section(mcq_files, mcq_limit, grounding, scoring, out, on_progress))
    given = (queries, cases)
    inputs = [
        *triage_paths,
        lay_path,
        *(mcq_files or []),
        *(records or []),
        *(p for p in given if p is not None),
    ]
    run = manifest(generator, inputs, {"seed": seed, "kgqa_per_relation": kgqa_per_relation})
    write_report(out, run, sections)
    typer.echo(
        f"{len(sections)} sections -> {out / 'report.md'} (and report.html, summary.json, manifest.json)"
    )


def eval_compare(
    first: Annotated[
        Path, typer.Argument(help="A report folder (eval all --out).", exists=True, file_okay=False)
    ],
    second: Annotated[Path, typer.Argument(help="Another report folder.", exists=True, file_okay=False)],
) -> None:
    """Every figure of two reports side by side, with the difference, and what differs in how they were made
    (generator, commit, seeds, data, versions).

    Example: wenzhen eval compare report-base/ report-tuned/
    """
    from wenzhen.agent.report import compare

    rows, differences = compare(first, second)
    for line in differences:
        typer.echo(f"differs: {line}")
    for name, a, b in rows:
        delta = f"{b - a:+.3f}" if a is not None and b is not None else "n/a"
        shown = [f"{v:.3f}" if v is not None else "-" for v in (a, b)]
        typer.echo(f"{name:<52} {shown[0]:>7} {shown[1]:>7} {delta:>8}")


def mcq_summary(
    predictions: Annotated[
        list[Path], typer.Argument(help="Prediction files of eval mcq (e.g. one per --shard).", exists=True)
    ],
    as_json: Annotated[bool, typer.Option("--json", help="The summary as JSON.")] = False,
) -> None:
    """The summary of one exam run's prediction files together: shards of the same settings, each scored
    by its own process or machine.

    Example: wenzhen eval mcq-summary mcq-cmexam_dev-loglik-shard-*-of-4.jsonl
    """
    from wenzhen.agent.exam_eval import read_predictions, summarise, summary_lines

    runs = {
        p.with_name(p.name + ".run.json").read_text(encoding="utf-8")
        for p in predictions
        if p.with_name(p.name + ".run.json").exists()
    }
    if len(runs) > 1:
        raise InputError(
            "these prediction files come from runs with different settings (see their .run.json)"
        )
    summaries = summarise(read_predictions(predictions))
    if as_json:
        typer.echo(json.dumps([asdict(s) | {"accuracy": s.accuracy} for s in summaries], ensure_ascii=False))
        return
    for line in summary_lines(summaries):
        typer.echo(line)
