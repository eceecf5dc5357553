"""Case records, the answer model fitted from them and the graph, the inquiry over it, reading a patient's own
words, and the benchmarks' protocol (unit tests on hand-made records; the CLI against the demo graph)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from wenzhen.agent.answer_model import (
    NO,
    NOT_RECORDED,
    UNSURE,
    YES,
    AnswerModel,
    FitSettings,
    choose_mentions,
    fit_answer_model,
    graph_belief,
)
from wenzhen.agent.answer_policy import AnswerModelPolicy
from wenzhen.agent.case_inquiry import CaseInquiry, CaseInquiryParameters, CaseState
from wenzhen.agent.case_records import UNRECORDED, CaseRecord, read_case_records, split_folds
from wenzhen.agent.diagnosis_eval import evaluate_diagnosis, patient_reply
from wenzhen.agent.inquiry import Answered, InquiryState, Question, Volunteered
from wenzhen.agent.statement_reader import StatementReader
from wenzhen.api.cli import app
from wenzhen.core.errors import InputError
from wenzhen.kg_loader.schema import Label
from wenzhen.kg_loader.store import GraphStore
from wenzhen.retrieval.kg import DiseaseProfile, EntityDictionary

PNEUMONIA = CaseRecord("肺炎", {"咳嗽": True}, {"发烧": True, "湿啰音": True, "鼻塞": False})
BRONCHITIS = CaseRecord("支气管炎", {"咳嗽": True}, {"呼吸困难": True, "湿啰音": False})
RHINITIS = CaseRecord("过敏性鼻炎", {"鼻塞": True}, {"打喷嚏": True})


def row(record: CaseRecord, report: str = "", words: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "disease": record.disease,
        "explicit_symptoms": dict(record.explicit),
        "implicit_symptoms": dict(record.implicit),
        **({"self_report": report, "origin_inform_slots": list(words)} if report else {}),
    }


def test_records_are_read_and_every_bad_row_is_reported_with_its_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    lines = [
        json.dumps(row(PNEUMONIA), ensure_ascii=False),
        '{"disease": "肺炎", "explicit_symptoms": {"咳嗽": "yes"}}',
        '{"explicit_symptoms": {"咳嗽": true}}',
        "[1, 2]",
        "{oops",
        json.dumps(
            {"disease": "肺炎", "explicit_symptoms": {}, "self_report": "孩子咳嗽"}, ensure_ascii=False
        ),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records, issues = read_case_records(path)
    assert [r.disease for r in records] == ["肺炎", "肺炎"] and records[1].self_report == "孩子咳嗽"
    assert [(i.line, i.field) for i in issues] == [
        (2, "explicit_symptoms"),
        (3, "disease"),
        (4, None),
        (5, None),
    ]
    assert "'yes' is not true, false or null" in issues[0].reason and "malformed JSON" in issues[3].reason


def test_the_fit_counts_stated_and_asked_answers_apart_and_keeps_to_the_disease_list() -> None:
    repeats = CaseRecord("肺炎", {"咳嗽": True}, {"咳嗽": True, "发烧": None})
    model = fit_answer_model([PNEUMONIA] * 4 + [repeats, RHINITIS], diseases=["肺炎", "支气管炎"])
    assert model.diseases == ("肺炎", "支气管炎")  # 过敏性鼻炎 is not on the list: its record is left out
    cough, fever = model.columns["咳嗽"], model.columns["发烧"]
    stated, asked = np.exp(model.stated[0]), np.exp(model.asked[0])
    assert stated[cough, YES] > 0.9  # every record of 肺炎 states 咳嗽 ...
    assert np.allclose(asked[cough], 1 / 4)  # ... so no record says how 肺炎 answers when asked about it
    assert asked[fever, UNSURE] > asked[fever, NO]  # "not sure" is counted as such ...
    assert asked[fever, UNSURE] > 5 * asked[fever, NOT_RECORDED]  # ... not as the record saying nothing
    assert np.exp(model.log_prior[0]) > np.exp(model.log_prior[1])  # 5 records against none
    assert np.allclose(np.exp(model.asked).sum(axis=2), 1) and np.allclose(
        np.exp(model.stated).sum(axis=2), 1
    )


def test_a_shared_fit_learns_a_symptom_from_every_record_and_reads_no_disease_into_how_it_is_told() -> None:
    tells_it = CaseRecord("肺炎", {"发烧": True})  # 肺炎's patients say 发烧 up front ...
    asked_it = CaseRecord("支气管炎", {"咳嗽": True}, {"发烧": True})  # ... 支气管炎's when asked
    records = [tells_it] * 8 + [replace(asked_it, disease="肺炎")] * 2 + [asked_it] * 10
    shared = fit_answer_model(records, settings=FitSettings(mentions="shared"))
    per_disease = fit_answer_model(records, settings=FitSettings(mentions="per-disease"))
    for model in (shared, per_disease):
        assert np.allclose(np.exp(model.stated).sum(axis=2), 1) and np.allclose(
            np.exp(model.asked).sum(axis=2), 1
        )
    fever, (pneumonia, bronchitis) = (
        shared.columns["发烧"],
        (shared.diseases.index(d) for d in ("肺炎", "支气管炎")),
    )
    said = np.exp(shared.stated[:, fever, YES])
    assert said[pneumonia] == pytest.approx(said[bronchitis], rel=0.05)  # both have it, both say it as often
    per_disease_said = np.exp(per_disease.stated[:, fever, YES])
    assert per_disease_said[pneumonia] > 5 * per_disease_said[bronchitis]


def test_told_in_full_is_the_inquiry_having_asked_everything() -> None:
    model = fit_answer_model([PNEUMONIA, BRONCHITIS, RHINITIS] * 4)
    inquiry = CaseInquiry(model)
    for record in (PNEUMONIA, BRONCHITIS, CaseRecord("?", {"鼻塞": None}, {"湿啰音": False})):
        rest = tuple((s, record.reply(s)) for s in model.symptoms if s not in record.explicit)
        everything = CaseState(dict(record.explicit), rest)
        assert np.allclose(model.told_in_full(record), inquiry.log_posterior(everything))


def test_choose_keeps_per_disease_where_how_a_symptom_is_told_tells_the_disease() -> None:
    tells_it = CaseRecord("肺炎", {"发烧": True})
    asked_it = CaseRecord("支气管炎", {}, {"发烧": True})
    records = [tells_it, asked_it] * 10
    chosen, scores = choose_mentions(records, ["肺炎", "支气管炎"], ["发烧"])
    assert chosen == "per-disease" and scores["per-disease"] == 1.0 and scores["shared"] <= 0.5
    assert choose_mentions(records[:9], ["肺炎", "支气管炎"], ["发烧"]) == ("per-disease", {})
    chosen_fit = fit_answer_model(records, settings=FitSettings(mentions="choose"))
    assert np.array_equal(chosen_fit.stated, fit_answer_model(records).stated)  # per-disease is the default


def test_the_graph_alone_says_what_it_lists_and_nothing_about_being_unsure() -> None:
    profiles = {"肺炎": DiseaseProfile("肺炎", ("发热", "湿啰音"))}
    has = graph_belief(
        ["肺炎", "支气管炎"], ["发烧", "湿啰音"], profiles, lambda s: {"发热"} if s == "发烧" else {s}
    )
    assert has.tolist() == [
        [True, True],
        [False, False],
    ]  # 发烧 is listed as 发热; 支气管炎 is not in the graph
    model = fit_answer_model([], ["肺炎", "支气管炎"], ["发烧", "湿啰音"], has)
    asked = np.exp(model.asked)
    assert asked[0, 1, YES] > 0.3 > asked[1, 1, YES]
    for silent in (UNSURE, NOT_RECORDED):
        assert asked[0, 1, silent] == pytest.approx(asked[1, 1, silent])
    assert asked[0, 1, UNSURE] < 0.1 < asked[0, 1, NOT_RECORDED]
    assert model.log_prior[0] == model.log_prior[1]


def test_a_model_survives_saving(tmp_path: Path) -> None:
    model = fit_answer_model([PNEUMONIA, RHINITIS])
    model.save(tmp_path / "model.npz")
    loaded = AnswerModel.load(tmp_path / "model.npz")
    assert loaded.diseases == model.diseases and loaded.symptoms == model.symptoms
    assert np.array_equal(loaded.asked, model.asked)
    (tmp_path / "bad.npz").write_bytes(b"not a model")
    with pytest.raises(InputError, match=r"bad\.npz: not an answer model"):
        AnswerModel.load(tmp_path / "bad.npz")
    np.savez(  # as fitted before "not recorded" had its column
        tmp_path / "old.npz",
        diseases=np.array(model.diseases),
        symptoms=np.array(model.symptoms),
        log_prior=model.log_prior,
        stated=model.stated,
        asked=model.asked[:, :, :3],
    )
    with pytest.raises(InputError, match=r"old\.npz.*asked table has shape \(2, 5, 3\).*refit it"):
        AnswerModel.load(tmp_path / "old.npz")


def test_the_inquiry_asks_what_splits_the_candidates_and_stops_when_sure() -> None:
    inquiry = CaseInquiry(fit_answer_model([PNEUMONIA, BRONCHITIS, RHINITIS] * 10))
    state = CaseState({"咳嗽": True})
    question = inquiry.next_question(state)
    assert question in (
        "湿啰音",
        "呼吸困难",
        "发烧",
    )  # never 咳嗽 again; each of these splits 肺炎 / 支气管炎
    assert question is not None
    answered = inquiry.answer(state, question, question != "呼吸困难")
    assert inquiry.ranking(answered, 1)[0].disease == "肺炎"
    assert inquiry.next_question(answered) is None  # sure enough now
    budget = CaseInquiry(inquiry.model, CaseInquiryParameters(max_questions=0))
    assert budget.next_question(state) is None


def test_what_a_patient_leaves_out_counts_as_evidence() -> None:
    always_states_fever = CaseRecord("肺炎", {"咳嗽": True, "发烧": True})
    never_does = CaseRecord("支气管炎", {"咳嗽": True})
    inquiry = CaseInquiry(fit_answer_model([always_states_fever, never_does] * 10))
    assert inquiry.ranking(CaseState({"咳嗽": True}), 1)[0].disease == "支气管炎"
    assert inquiry.ranking(CaseState({"咳嗽": True, "发烧": True}), 1)[0].disease == "肺炎"
    unknown = CaseState({"咳嗽": True, "不在模型里": True})  # a symptom the model does not know tells nothing
    assert np.allclose(inquiry.probabilities(unknown), inquiry.probabilities(CaseState({"咳嗽": True})))


def test_the_reader_learns_the_patients_words_and_hears_a_denial() -> None:
    cold = CaseRecord("感冒", {"流涕": True, "发烧": True}, origin_words=("鼻涕", "发热了"))
    cough = CaseRecord("肺炎", {"发烧": True, "咳嗽": True}, origin_words=("发热了",))
    once = CaseRecord("感冒", {"流涕": True}, origin_words=("清水",))
    reader = StatementReader.learn([cold, cold, cough, once], ["流涕", "发烧", "咳嗽"])
    assert reader.read("宝宝流鼻涕，发热了两天") == {
        "流涕": True,
        "发烧": True,
    }  # 发热了 comes with 发烧 always
    assert reader.read("没有发烧，就是咳嗽") == {"发烧": False, "咳嗽": True}
    assert reader.read("白天没有发烧，晚上发烧") == {"发烧": True}  # said at one time: said
    assert reader.read("流清水") == {}  # seen once: not learnt


def test_the_reader_uses_the_graphs_phrasings_through_the_concepts() -> None:
    graph = EntityDictionary()
    graph.add("拉肚子", Label.SYMPTOM, "腹泻")  # a real dictionary, filled by hand
    reader = StatementReader.learn([], ["稀便"], graph.link, lambda s: {"腹泻"} if s == "稀便" else {s})
    assert reader.read("孩子拉肚子三天") == {"稀便": True}
    assert reader.read("孩子没有拉肚子") == {"稀便": False}
    assert reader.read("之前没有拉肚子，今天拉肚子了") == {"稀便": True}


def test_the_protocol_scores_each_fold_with_a_model_fitted_on_the_others() -> None:
    records = [replace(r, id=str(n)) for n, r in enumerate([PNEUMONIA, BRONCHITIS, RHINITIS] * 10)]
    report = evaluate_diagnosis(records, "records", folds=5).report()
    assert report.accuracy == 1.0 and report.cases == 30
    assert 0 < report.mean_questions <= 2 and report.implicit_recall > 0.3
    trains, tests = zip(*split_folds(records, 5), strict=True)
    assert sorted(r.id for t in tests for r in t) == sorted(r.id for r in records)  # each case tested once
    assert all(not {r.id for r in a} & {r.id for r in b} for a, b in zip(trains, tests, strict=True))
    with pytest.raises(InputError, match="needs the graph"):
        evaluate_diagnosis(records, "both")
    with pytest.raises(InputError, match="--folds"):
        evaluate_diagnosis(records, "records", folds=31)
    silent = evaluate_diagnosis(records, "records", reader=lambda train, symptoms: lambda record: {}).report()
    assert silent.protocol == "text" and silent.accuracy == 1.0  # with nothing stated, it asks more
    assert silent.mean_questions > report.mean_questions


def test_a_run_reports_at_a_smaller_budget_what_a_run_at_that_budget_would() -> None:
    cold = CaseRecord("感冒", {"咳嗽": True}, {"鼻塞": True})
    sure = [replace(r, id=str(n)) for n, r in enumerate([PNEUMONIA, BRONCHITIS, cold] * 8)]
    hedged = [replace(r, implicit={s: None for s in r.asked}) for r in sure[:6]]  # "not sure" answers too
    for patient in ("record", "live"):
        run = evaluate_diagnosis(
            sure + hedged, "records", parameters=CaseInquiryParameters(), patient=patient
        )
        for budget in range(4):
            alone = CaseInquiryParameters(max_questions=budget)
            cut = run.report(budget)
            assert (
                cut
                == evaluate_diagnosis(sure + hedged, "records", parameters=alone, patient=patient).report()
            )
            assert cut.max_questions == budget
        assert run.report(0).mean_questions == 0 and run.report(0).accuracy < run.report(2).accuracy
    with pytest.raises(InputError, match="cannot report at 7"):
        run.report(7)


def test_the_simulated_patient_tells_not_sure_from_a_symptom_the_record_does_not_have() -> None:
    unsure = CaseRecord("肺炎", {"咳嗽": True}, {"发烧": None})  # asked; the parent was not sure
    never_asked = CaseRecord("支气管炎", {"咳嗽": True})  # the record says nothing of 发烧
    assert unsure.reply("发烧") is None and never_asked.reply("发烧") is UNRECORDED
    records = [replace(r, id=str(n)) for n, r in enumerate([unsure, never_asked] * 10)]
    report = evaluate_diagnosis(records, "records", folds=5).report()
    assert report.accuracy == 1.0 and report.mean_questions == 1.0  # one question, two different replies


FEVERISH = [CaseRecord("肺炎", {"咳嗽": True}, {"发烧": True})] * 8 + [
    CaseRecord("肺炎", {"咳嗽": True}, {"发烧": False})
] * 2  # 肺炎's records talk of 发烧: mostly yes, sometimes no
COUGH_ONLY = [CaseRecord("支气管炎", {"咳嗽": True})] * 10  # 支气管炎's never mention it


def test_a_live_patients_no_counts_as_what_the_records_leave_unrecorded() -> None:
    model = fit_answer_model(FEVERISH + COUGH_ONLY)
    policy = AnswerModelPolicy(model, lambda name: {name})
    state = policy.observe(InquiryState(), Volunteered("咳嗽"))
    question = policy.next_question(state)
    assert question == Question("symptom", "发烧")
    denied = policy.observe(policy.ask(state, question), Answered("发烧", False))
    assert policy.ranking(denied, 1)[0].disease == "支气管炎"
    as_fitted = CaseInquiry(model).answer(CaseState({"咳嗽": True}), "发烧", False)
    assert CaseInquiry(model).ranking(as_fitted, 1)[0].disease == "肺炎"  # a recorded "no" is 肺炎's
    closed = np.exp(model.closed_world().asked)
    assert np.allclose(closed.sum(axis=2), 1) and not closed[:, :, NOT_RECORDED].any()


def test_the_live_patient_denies_what_the_record_lacks_and_is_read_closed_world() -> None:
    records = [replace(r, id=str(n)) for n, r in enumerate(FEVERISH + COUGH_ONLY)]
    assert patient_reply(COUGH_ONLY[0], "发烧", "live") is False
    assert patient_reply(COUGH_ONLY[0], "发烧") is UNRECORDED
    record = evaluate_diagnosis(records, "records", folds=5).report()
    live = evaluate_diagnosis(records, "records", folds=5, patient="live").report()
    assert record.accuracy == 1.0 and record.patient == "record"
    assert live.accuracy == 0.9 and live.patient == "live"  # 肺炎 denying 发烧 reads as 支气管炎


def test_wenzhen_eval_diagnosis_runs_every_variant_and_the_text_protocol(
    demo_with_concepts: GraphStore, tmp_path: Path
) -> None:
    reports = {"肺炎": "孩子咳嗽，发烧", "支气管炎": "一直咳嗽", "过敏性鼻炎": "孩子鼻子堵，老是鼻塞"}
    records = tmp_path / "train.jsonl"
    lines = [
        json.dumps(row(r, reports[r.disease], tuple(r.explicit)), ensure_ascii=False)
        for r in [PNEUMONIA, BRONCHITIS, RHINITIS] * 8
    ]
    records.write_text("\n".join([*lines, '{"disease": 1}']) + "\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["eval", "diagnosis", str(records), "--folds", "4", "--json"])
    assert result.exit_code == 0, result.output
    assert f"skipped {records}:25: missing or empty (field disease)" in result.stderr
    by_variant = {r["variant"]: r for r in json.loads(result.stdout)}
    assert set(by_variant) == {"graph", "records", "both"}
    assert by_variant["records"]["accuracy"] == 1.0 and by_variant["both"]["accuracy"] == 1.0
    assert (
        by_variant["graph"]["accuracy"] >= 0.6
    )  # the demo graph lists 湿啰音 for 肺炎, 呼吸困难 for 支气管炎
    text = runner.invoke(app, ["eval", "diagnosis", str(records), "--text", "--variant", "records"])
    assert text.exit_code == 0, text.output
    assert "records  (text, record patient) accuracy 1.000" in text.stdout
    wrong = runner.invoke(app, ["eval", "diagnosis", str(records), "--variant", "llm"])
    assert wrong.exit_code == 2 and "--variant must be one of graph, records, both" in wrong.output
    shared = runner.invoke(
        app, ["eval", "diagnosis", str(records), "--variant", "records", "--mentions", "shared"]
    )
    assert shared.exit_code == 0 and "records  (symptoms, record patient) accuracy 1.000" in shared.stdout
    live_patient = ["--variant", "records", "--patient", "live"]
    live = runner.invoke(app, ["eval", "diagnosis", str(records), *live_patient])
    assert live.exit_code == 0 and "records  (symptoms, live patient) accuracy 1.000" in live.stdout
    curve = ["--variant", "records", "--max-questions", "1", "--max-questions", "0", "--json"]
    budgets = json.loads(runner.invoke(app, ["eval", "diagnosis", str(records), *curve]).stdout)
    assert [(r["max_questions"], r["accuracy"]) for r in budgets][1] == (1, 1.0)
    assert budgets[0]["max_questions"] == 0 and budgets[0]["mean_questions"] == 0
    negative = runner.invoke(app, ["eval", "diagnosis", str(records), "--max-questions", "-1"])
    assert negative.exit_code == 2 and "Invalid value for '--max-questions'" in negative.output
    nobody = runner.invoke(app, ["eval", "diagnosis", str(records), "--patient", "actor"])
    assert nobody.exit_code == 2 and "--patient must be one of record, live, not 'actor'" in nobody.output
    odd = runner.invoke(app, ["eval", "diagnosis", str(records), "--mentions", "often"])
    assert odd.exit_code == 2 and "--mentions must be one of per-disease, shared, choose" in odd.output
    department = tmp_path / "department.txt"
    department.write_text("# 呼吸科\n肺炎\n支气管炎\n", encoding="utf-8")
    out = tmp_path / "answers.npz"
    fit = runner.invoke(
        app, ["inquiry", "fit", str(records), "--out", str(out), "--diseases", str(department)]
    )
    assert fit.exit_code == 0, fit.output
    assert "8 records of diseases not on the list left out" in fit.stderr
    assert f"16 records, 2 diseases, 5 symptoms -> {out}" in fit.stdout
    assert AnswerModel.load(out).diseases == ("肺炎", "支气管炎")
    chosen = runner.invoke(app, ["inquiry", "fit", str(records), "--out", str(out), "--mentions", "choose"])
    assert chosen.exit_code == 0, chosen.output
    assert (
        "mentions: per-disease (cross-validated, told each record in full: per-disease 1.000" in chosen.stderr
    )
