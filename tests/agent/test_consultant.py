"""The Consultant end to end: the demo KG on the real server, a real literature index, a real (tiny, random)
causal LM behind the LangChain chat model, LangGraph with in-memory and SQLite checkpointers."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field
from typer.testing import CliRunner

from tests.faults.attempts import INJECTIONS
from tests.kg_loader.helpers import everything
from wenzhen.agent.answer import DECLINE, DISCLAIMER
from wenzhen.agent.answer_model import fit_answer_model
from wenzhen.agent.answer_text import SECTION_HEADS
from wenzhen.agent.case_records import CaseRecord
from wenzhen.agent.config import AgentSettings
from wenzhen.agent.consultant import Consultant, make_chat_model
from wenzhen.agent.dialogue import Sample, ScriptedPatient, run_dialogue
from wenzhen.agent.findings import read_message
from wenzhen.agent.inquiry import InquiryState, Question
from wenzhen.agent.questions import template_text
from wenzhen.agent.session import Reply
from wenzhen.api.cli import app
from wenzhen.core.errors import InputError, ResourceMissing, ServiceUnavailable
from wenzhen.finetune.chat_model import WenzhenChatModel
from wenzhen.kg_loader.config import GraphSettings
from wenzhen.kg_loader.store import GraphStore, connect
from wenzhen.retrieval.search import LiteratureSearcher


def consultant(store: GraphStore, model: Path, searcher: LiteratureSearcher, **settings: Any) -> Consultant:
    chat_model = WenzhenChatModel(model=str(model), max_tokens=12)
    return Consultant(store, chat_model, searcher, AgentSettings(max_new_tokens=12, **settings))


def test_the_first_question_is_chosen_knowing_who_the_patient_is(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher
) -> None:
    """A relative's first message says who the patient is (我爸: a man, an adult; 孩子), and on the demo graph
    that changes which question is best; the consultation asks the one for that patient."""
    with consultant(demo_graph, tiny_model_dir, searcher) as c:
        for text in ("我爸最近腰酸", "孩子最近头昏"):  # 关节痛 names its place: no "is it the joint?" now
            reading = read_message(c.tools.kg, text, None, c.policy.body_part_names, c.graph.locations)
            patient = reading.facts.population()
            knowing = c.policy.next_question(InquiryState(reading.observations, patient=patient))
            assert knowing is not None and knowing != c.policy.next_question(
                InquiryState(reading.observations)
            )
            assert c.reply(c.start_session(), text).question == asdict(knowing)


def test_a_consultation_asks_then_answers_with_citations(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher
) -> None:
    with consultant(demo_graph, tiny_model_dir, searcher) as c:
        session = c.start_session()
        first = c.reply(session, "我最近黄疸，还乏力")
        assert first.kind == "question" and first.question is not None
        assert first.candidates and sum(x.probability for x in first.candidates) <= 1.0 + 1e-9
        said = {"黄疸", "乏力"}
        reply, turns = first, 0
        while reply.kind == "question" and turns < 8:
            assert reply.question is not None and reply.question.get("target") not in said  # never re-asks
            if reply.question["kind"] == "symptom":
                said.add(reply.question["target"])
            reply = c.reply(session, "没有了" if reply.question["kind"] == "open" else "没有")
            turns += 1
        assert reply.kind == "answer" and turns <= AgentSettings().max_questions
        assert reply.text.endswith(DISCLAIMER)
        assert all(head in reply.text for head in SECTION_HEADS)
        assert [c.disease for c in reply.candidates[:3]] == re.findall(r"^\d+\. (.+?)（约", reply.text, re.M)
        kinds = {citation.kind for citation in reply.citations}
        assert kinds == {"kg", "literature"}
        markers = list(dict.fromkeys(re.findall(r"\[([KL]\d+)\]", reply.text)))
        assert sorted(markers) == sorted(c.id for c in reply.citations)  # each cited, each citation used
        assert [m for m in markers if m[0] == "K"] == [f"K{n}" for n in range(1, len(reply.citations) + 1)][
            : sum(1 for m in markers if m[0] == "K")
        ]  # numbered as first cited
        kg_citation = next(x for x in reply.citations if x.kind == "kg")
        assert kg_citation.source == "demo_kg.jsonl" and kg_citation.line is not None
        assert [m["role"] for m in c.history(session)][:2] == ["user", "assistant"]


def test_emergencies_out_of_scope_and_knowledge_questions(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher
) -> None:
    with consultant(demo_graph, tiny_model_dir, searcher) as c:
        emergency = c.reply(c.start_session(), "肝硬化好几年了，今天吐了好多血")
        assert emergency.kind == "emergency" and "120" in emergency.text and not emergency.citations
        assert c.reply(c.start_session(), "今天股票涨了吗").kind == "declined"
        screened = c.start_session()
        screen = c.reply(screened, "我爸胸口痛")
        assert screen.kind == "question" and (screen.question or {}).get("kind") == "screen"
        assert c.reply(screened, "好像有").kind == "emergency"  # a doubtful yes to a red flag is a yes
        plainly = c.start_session()
        assert (c.reply(plainly, "我妈胸口疼").question or {}).get("kind") == "screen"
        assert c.reply(plainly, "确实有").kind == "emergency"  # a yes that does not open with 有 / 是
        parts = list(c.stream(c.start_session(), "晚期肝癌可以用免疫治疗吗"))
        reply = parts[-1]
        assert isinstance(reply, Reply) and reply.kind == "answer"
        streamed = "".join(p for p in parts[:-1] if isinstance(p, str))
        assert len(parts) > 3 and streamed.rstrip() == reply.text  # tokens, then the disclaimer
        literature = [x for x in reply.citations if x.kind == "literature"]
        assert literature and all("<|" not in x.text for x in literature)  # retrieved text is data


def test_a_complaint_nothing_links_to_gets_a_clarifying_question_once(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher
) -> None:
    with consultant(demo_graph, tiny_model_dir, searcher) as c:
        session = c.start_session()
        first = c.reply(session, "我这两天浑身不得劲")
        assert first.kind == "question" and first.question == {"kind": "clarify", "target": None}
        second = c.reply(session, "就是皮肤发黄，黄疸，还乏力")
        assert second.kind == "question" and second.question is not None
        assert second.question["kind"] != "clarify" and second.candidates  # now the inquiry starts
        vague = c.start_session()
        assert c.reply(vague, "说不上来，就是难受").question == {"kind": "clarify", "target": None}
        assert c.reply(vague, "说不清楚").kind == "answer"  # asked once, and still not turned away
        assert c.reply(c.start_session(), "乙肝能治好吗").kind == "answer"  # a question, not a complaint


def questions_when_denying_everything(c: Consultant, opening: str) -> list[dict[str, Any]]:
    """The questions of a consultation in which the patient says no to each, until it answers."""
    session = c.start_session()
    reply, asked = c.reply(session, opening), list[dict[str, Any]]()
    while reply.kind == "question" and reply.question is not None and len(asked) < 8:
        asked.append(reply.question)
        reply = c.reply(session, "没有了" if reply.question["kind"] == "open" else "没有")
    return asked


def test_a_place_named_in_the_opening_is_not_asked_about_openly(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher
) -> None:
    with consultant(demo_graph, tiny_model_dir, searcher) as c:
        placed = questions_when_denying_everything(c, "我最近右上腹隐痛，还乏力")
        assert placed and {"kind": "body_part", "target": None} not in placed
        assert all(q["target"] in ("肝", "胆", "腹部") for q in placed if q["kind"] == "body_part")
        # without a place, "where?" is worth asking
        assert {"kind": "body_part", "target": None} in questions_when_denying_everything(c, "我最近乏力")


def test_questions_name_the_patient_a_relative_writes_for(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher
) -> None:
    with consultant(demo_graph, tiny_model_dir, searcher) as c:
        openings = [("我爸最近右上腹隐痛，还乏力", "您父亲"), ("我最近右上腹隐痛，我妈也乏力", "您")]
        for opening, who in openings:
            session = c.start_session()
            reply = c.reply(session, opening)
            while reply.question is not None and reply.question["kind"] != "symptom":
                reply = c.reply(session, "没有" if reply.question["kind"] == "body_part" else "没有了")
            assert reply.text.startswith(f"请问{who}有没有"), reply.text


def test_a_consultation_over_an_answer_model_fitted_from_case_records(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher, tmp_path: Path
) -> None:
    records = [
        CaseRecord("肺炎", {"咳嗽": True}, {"发烧": True, "湿啰音": True}),
        CaseRecord("支气管炎", {"咳嗽": True}, {"发烧": False, "呼吸困难": True}),
    ] * 10
    fit_answer_model(records).save(tmp_path / "answers.npz")
    with consultant(demo_graph, tiny_model_dir, searcher, answer_model=tmp_path / "answers.npz") as c:
        session = c.start_session()
        reply = c.reply(session, "孩子咳嗽好几天了")
        assert reply.question is not None and reply.question["kind"] == "symptom"
        assert {x.disease for x in reply.candidates} == {"肺炎", "支气管炎"}  # the model's diseases only
        while reply.kind == "question" and reply.question is not None:
            assert reply.question["target"] in ("发烧", "湿啰音", "呼吸困难")  # never 咳嗽 again
            reply = c.reply(session, "没有" if reply.question["target"] == "呼吸困难" else "有的")
        assert reply.kind == "answer" and reply.candidates[0].disease == "肺炎"
    missing = AgentSettings(answer_model=tmp_path / "none.npz")
    with pytest.raises(ResourceMissing, match="wenzhen inquiry fit"):
        Consultant(demo_graph, WenzhenChatModel(model=str(tiny_model_dir)), searcher, missing)


def test_triage_screens_first_reads_the_whole_conversation_and_keeps_the_urgency(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher
) -> None:
    with consultant(demo_graph, tiny_model_dir, searcher) as c:
        session = c.start_session()
        screen = c.reply(session, "我爸胸口痛")
        assert screen.kind == "question" and screen.question == {
            "kind": "screen",
            "target": "chest_pain_screen",
        }
        assert "冷汗" in screen.text and screen.urgency == "routine"
        emergency = c.reply(session, "有，出了一身冷汗")  # the yes to the screening question
        assert emergency.kind == "emergency" and emergency.urgency == "emergency" and "120" in emergency.text
        assert emergency.red_flag == "chest_pain_screen"

        calm = c.start_session()
        assert c.reply(calm, "胸口有点闷").question == {"kind": "screen", "target": "chest_pain_screen"}
        after = c.reply(calm, "没有，就是有点闷")
        assert after.kind in ("question", "answer") and (after.question or {}).get("kind") != "screen"
        late = c.reply(calm, "刚才开始左胳膊也麻了，出了好多汗")  # a red flag told later still counts
        assert late.kind == "emergency" and late.red_flag == "chest_pain_danger"

        baby = c.start_session()
        urgent = c.reply(baby, "两个月的宝宝发烧38度5")
        assert urgent.urgency == "urgent" and urgent.red_flag == "infant_fever"
        assert urgent.text.startswith("【请今天就医】") and urgent.kind in ("question", "answer")
        following = c.reply(baby, "没有了")
        assert following.urgency == "urgent" and not following.text.startswith("【请今天就医】")


def test_long_and_english_messages_are_triaged_before_anything_else(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher
) -> None:
    with consultant(demo_graph, tiny_model_dir, searcher) as c:
        long_emergency = "我爸嘴歪了，说话也不清楚。" + "之前的情况是这样的，" * 300
        reply = c.reply(c.start_session(), long_emergency)
        assert reply.kind == "emergency" and reply.red_flag == "stroke_signs"
        with pytest.raises(InputError, match="too long"):
            c.reply(c.start_session(), "我最近右上腹隐痛。" * 300)
        english = c.reply(c.start_session(), "my father can't breathe, his lips are blue and he collapsed")
        assert english.kind == "emergency" and "Call an ambulance now" in english.text


def test_the_injected_chunk_is_data_not_instructions(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher
) -> None:
    with consultant(demo_graph, tiny_model_dir, searcher, literature_k=7) as c:
        reply = c.reply(c.start_session(), "肝癌治疗有哪些方法")
        injected = [x for x in reply.citations if x.kind == "literature" and "忽略以上所有规则" in x.text]
        assert reply.kind == "answer" and injected  # retrieved, cited, and it changed nothing
        assert "<|im_start|>" not in injected[0].text and "<|im_end|>" not in injected[0].text


def test_patient_text_shaped_like_cypher_writes_nothing_through_the_agent_or_its_tools(
    demo_graph: GraphStore, graph_settings: GraphSettings, tiny_model_dir: Path, searcher: LiteratureSearcher
) -> None:
    """The agent as deployed (the read-only user): each injection as a message and through every tool."""
    before = everything(demo_graph)
    with connect(graph_settings, read_only=True) as reader, consultant(reader, tiny_model_dir, searcher) as c:
        for text in INJECTIONS:
            assert c.reply(c.start_session(), text).kind in {"question", "answer", "declined"}
            assert c.tools.kg_lookup.invoke({"disease": text}) == []
            c.tools.candidate_diseases.invoke({"present": [text], "absent": [text]})
            c.tools.literature_search.invoke({"query": text})
    assert everything(demo_graph) == before


def test_sessions_persist_in_sqlite_across_consultants(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher, tmp_path: Path
) -> None:
    sessions = str(tmp_path / "sessions.sqlite")
    with consultant(demo_graph, tiny_model_dir, searcher, sessions=sessions) as c:
        session = c.start_session()
        replies = questions_until_a_closed_one(c, session)
    closed = replies[-1].question
    assert closed is not None and closed["target"] is not None
    with consultant(demo_graph, tiny_model_dir, searcher, sessions=sessions) as again:
        history = [m["content"] for m in again.history(session)]
        assert history[:2] == ["我最近黄疸，还乏力", replies[0].text] and history[-1] == replies[-1].text
        follow = again.reply(session, "没有")  # answers the closed question asked before the restart
        assert follow.kind in ("question", "answer")
        assert follow.question is None or follow.question["target"] != closed["target"]


def test_bad_messages_are_refused_with_a_reason(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher
) -> None:
    with consultant(demo_graph, tiny_model_dir, searcher) as c:
        with pytest.raises(ValueError, match="empty message"):
            c.reply(c.start_session(), "   ")
        with pytest.raises(ValueError, match="too long"):
            c.reply(c.start_session(), "痛" * 5000)


def test_an_unreachable_generator_server_is_a_clear_error(
    demo_graph: GraphStore, searcher: LiteratureSearcher
) -> None:
    settings = AgentSettings(openai_base_url="http://127.0.0.1:9/v1")  # nothing listens there
    with Consultant(demo_graph, make_chat_model(settings), searcher, settings) as c:
        with pytest.raises(
            ServiceUnavailable, match=r"model server http://127\.0\.0\.1:9/v1 cannot be reached"
        ):
            c.reply(c.start_session(), "晚期肝癌可以用免疫治疗吗")
        with pytest.raises(ServiceUnavailable):
            list(c.stream(c.start_session(), "晚期肝癌可以用免疫治疗吗"))


def test_a_disc_dialogue_runs_three_patient_turns(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher
) -> None:
    sample = Sample("s1", "我最近黄疸，还乏力，这是怎么回事？", "CMD", {"department": "肝病科"})
    with consultant(demo_graph, tiny_model_dir, searcher) as c:
        record = run_dialogue(c, sample, ScriptedPatient(), "wenzhen")
    roles = [m["role"] for m in record["conversation"]]
    assert roles == ["patient", "doctor"] * 3
    assert record["conversation"][0]["content"] == sample.question
    assert {k: record[k] for k in ("id", "model", "source")} == {
        "id": "s1",
        "model": "wenzhen",
        "source": "CMD",
    }


def questions_until_a_closed_one(c: Consultant, session: str) -> list[Reply]:
    """The replies to "我最近黄疸，还乏力" and then "没有了", up to the first question naming a target (a
    symptom or a body part): the first questions are the open ones (what else, where)."""
    replies = [c.reply(session, "我最近黄疸，还乏力")]
    while replies[-1].question is not None and replies[-1].question["target"] is None and len(replies) < 4:
        replies.append(c.reply(session, "没有了"))
    return replies


def test_questions_rephrased_by_the_generator_fall_back_to_the_template_when_unusable(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher
) -> None:
    with consultant(demo_graph, tiny_model_dir, searcher, phrase_questions=True) as c:
        replies = questions_until_a_closed_one(c, c.start_session())
    assert replies[-1].question is not None and replies[-1].question["target"] is not None
    for reply in replies:  # a random model's words are refused, for the open and the closed question
        assert reply.kind == "question" and reply.question is not None
        assert reply.text == template_text(Question(**reply.question))


class ScriptedRephraser(BaseChatModel):
    """A fake chat model, on purpose: no real model can be made to say a chosen sentence. Asked to rephrase
    a question it answers "麻烦问一下，" + the question (a usable rephrasing); anything else, "好的。"."""

    prompts: list[str] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted-rephraser"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **_: Any
    ) -> ChatResult:
        prompt = str(messages[-1].content)
        self.prompts.append(prompt)
        text = f"麻烦问一下，{prompt.rsplit('：', 1)[1]}" if "改写" in prompt else "好的。"
        return ChatResult(generations=[ChatGeneration(message=AIMessage(text))])


class ScriptedAnswerer(BaseChatModel):
    """A fake generator, on purpose: no real model can be made to write chosen sentences. It copies the first
    graph source of its prompt as a sentence, then writes what the checks must remove."""

    @property
    def _llm_type(self) -> str:
        return "scripted-answerer"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **_: Any
    ) -> ChatResult:
        source = re.search(r"\[K1\] (.+)", str(messages[0].content))
        copied = f"{source.group(1)}。" if source else ""
        bad = "不需要继续吃恩替卡韦。您患有肝癌。可以做经导管动脉化疗栓塞术。每日3次，每次10mg。"
        return ChatResult(generations=[ChatGeneration(message=AIMessage(copied + bad))])


def test_generated_sentences_are_cited_by_attribution_or_withheld(
    demo_graph: GraphStore, searcher: LiteratureSearcher
) -> None:
    with Consultant(demo_graph, ScriptedAnswerer(), searcher, AgentSettings(max_questions=0)) as c:
        reply = c.reply(c.start_session(), "我最近黄疸，还乏力，在吃恩替卡韦分散片")
    assert reply.kind == "answer"
    explained = reply.text.split("【说明与护理】\n", 1)[1]
    first = next(c for c in reply.citations if c.kind == "kg")
    copied = re.match(rf"{re.escape(first.text)}((?:\[K\d+\])+)。", explained)  # the copied source, cited
    assert copied is not None and f"[{first.id}]" in copied.group(1)
    for removed in ("不需要继续吃", "您患有肝癌", "栓塞术", "10mg"):
        assert removed not in explained
    assert sorted(reply.withheld) == sorted(
        [
            "tells the patient to stop or change a medicine",
            "states a diagnosis the ranking is not confident of",
            "names a drug or procedure",
            "gives a dose",
        ]
    )
    assert "【您正在用的药】" in reply.text and "不要自行停药" in reply.text


def test_wenzhen_eval_answers_scores_simulated_consultations(
    demo_graph: GraphStore, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WENZHEN_MODEL", str(tiny_model_dir))
    monkeypatch.setenv("WENZHEN_MAX_NEW_TOKENS", "8")
    out = tmp_path / "answers.jsonl"
    result = CliRunner().invoke(app, ["eval", "answers", "--cases", "4", "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["answers"] + summary["not_answers"] == 4 and summary["answers"] >= 1
    assert summary["structured_share"] == 1.0 and summary["contradicting_share"] == 0.0
    assert summary["unsupported_drug_or_procedure_share"] == 0.0 and summary["stop_medicine_sentences"] == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == summary["answers"] and all(row["reply"]["kind"] == "answer" for row in rows)


def test_questions_are_put_in_the_generators_words_when_usable(
    demo_graph: GraphStore, searcher: LiteratureSearcher
) -> None:
    rephraser = ScriptedRephraser()
    with Consultant(demo_graph, rephraser, searcher, AgentSettings(phrase_questions=True)) as c:
        replies = questions_until_a_closed_one(c, c.start_session())
    closed = replies[-1].question
    assert closed is not None and closed["target"] is not None and closed["target"] in replies[-1].text
    for reply in replies:  # the open question and the closed one, each in the generator's words
        assert reply.question is not None
        assert reply.text == "麻烦问一下，" + template_text(Question(**reply.question))
    silent = ScriptedRephraser()
    with Consultant(demo_graph, silent, searcher, AgentSettings(phrase_questions=False)) as c:
        plain = c.reply(c.start_session(), "我最近黄疸，还乏力")
    assert plain.question is not None and plain.text == template_text(Question(**plain.question))
    assert not silent.prompts  # without phrase_questions the generator is not asked


def test_wenzhen_chat_interactive_and_simulated(
    demo_graph: GraphStore, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WENZHEN_MODEL", str(tiny_model_dir))
    monkeypatch.setenv("WENZHEN_MAX_NEW_TOKENS", "8")
    runner = CliRunner()
    chatted = runner.invoke(app, ["chat"], input="我最近黄疸，还乏力\n/reset\n今天股票涨了吗\n/quit\n")
    assert chatted.exit_code == 0, chatted.output
    assert "医生：" in chatted.stdout and DECLINE in chatted.stdout  # /reset started a new session
    simulated = runner.invoke(app, ["chat", "--simulate", "原发性肝癌", "--opening", "肝区痛"])
    assert simulated.exit_code == 0, simulated.output
    assert simulated.stdout.startswith("患者：我最近肝区痛。") and DISCLAIMER in simulated.stdout
    unknown = runner.invoke(app, ["chat", "--simulate", "不存在的病"])
    assert unknown.exit_code == 2 and "no disease named '不存在的病'" in unknown.output  # bad input


def test_wenzhen_eval_dialogue_runs_a_cmb_clin_case_and_scores_it_without_a_judge(
    demo_graph: GraphStore, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WENZHEN_MODEL", str(tiny_model_dir))
    monkeypatch.setenv("WENZHEN_MAX_NEW_TOKENS", "8")
    case = {
        "id": 1,
        "description": "男，52岁，乙肝病史多年，最近黄疸，还乏力。",
        "QA_pairs": [
            {"question": "可能是什么病？", "answer": "乙肝肝硬化"},
            {"question": "需要做哪些检查？", "answer": "肝功能、腹部超声、甲胎蛋白"},
        ],
    }
    samples = tmp_path / "cmb.json"
    samples.write_text(json.dumps([case], ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "cmb_out.json"
    result = CliRunner().invoke(app, ["eval", "dialogue", str(samples), "--out", str(out)])
    assert result.exit_code == 0, result.output
    (record,) = json.loads(out.read_text(encoding="utf-8"))
    patient = [m["content"] for m in record["conversation"] if m["role"] == "patient"]
    assert "需要做哪些检查？" in patient  # the case's second question was put once the first was answered
    (scores,) = [json.loads(line) for line in out.with_suffix(".auto.jsonl").read_text().splitlines()]
    assert set(scores) == {"id", "questions_asked", "citations_per_answer", "reference_overlap"}
    assert "reference_overlap" in result.output
