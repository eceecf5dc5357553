"""The consultation as a LangGraph graph: triage → understand → ask or answer, one turn per invocation.

    START → triage ─emergency→ END
              └→ understand ─a red flag to rule out first→ screen → END
                      ├─ a complaint with no symptom understood → clarify → END (once)
                      ├─ out of scope → decline → END
                      ├─ a question about a known disease or a drug, no complaint → answer → END
                      ├─ inquiry continues → ask → END
                      └─ enough known / a knowledge question → answer → END

Triage reads the whole conversation (every patient message so far), and a yes to a screening question makes
its red flag an emergency; an urgent red flag puts its notice before this turn's reply and keeps the
consultation's urgency at "urgent".

The session's state (history, observations, questions asked, pending question, findings) lives in the
checkpointer under the session id (``thread_id``), so a turn is ``graph.invoke({"message": text}, config)``.
The answer node streams the generator's tokens through LangGraph's custom stream; it holds a slot of the
generation gate while it generates and stops when the turn's ``cancel`` event (in ``configurable``) is set.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.types import Checkpointer

from wenzhen.agent.answer import DECLINE, DISCLAIMER, WHAT_NOW, answer_messages, retrieval_query
from wenzhen.agent.answer_plan import (
    CONDITION_FACTS,
    PLAN_FACTS,
    AnswerPlan,
    ConditionFacts,
    DrugFacts,
    condition_facts,
    drug_facts,
    plan_answer,
    plan_triples,
)
from wenzhen.agent.answer_text import (
    GENERAL_CARE_TEXT,
    SourceRegistry,
    condition_sections,
    drug_sections,
    literature_section,
    plan_sections,
    prompt_labels,
)
from wenzhen.agent.config import AgentSettings
from wenzhen.agent.faithfulness import SentenceChecker, checked_stream, graph_names, with_markers
from wenzhen.agent.findings import PatientFacts, affirms, read_message
from wenzhen.agent.gate import GenerationGate, TurnCancelled
from wenzhen.agent.inquiry import InquiryState, Policy, Question, Ranked
from wenzhen.agent.locations import BodyLocations
from wenzhen.agent.questions import accept_rephrased, rephrase_instruction, template_text
from wenzhen.agent.session import CandidateScore, ConsultState, Reply, inquiry_state, observation_to_dict
from wenzhen.agent.tools import ConsultationTools
from wenzhen.agent.triage import Triage, TriageResult
from wenzhen.kg_loader.schema import Label

_MEDICAL = re.compile(
    r"病|症|痛|疼|药|医|诊|治|查|炎|癌|瘤|肝|胃|肺|心|肾|血|烧|热|咳|痒|肿|吐|泻|晕|胀|酸|麻|乏力|不舒服|"
    r"怀孕|体检|手术|化验|指标|感染|过敏|失眠|健康|胸|闷|喘|憋|肚|腹|腰|嗓|喉|孕|宝宝|孩子|"
    r"服用|服药|送服|口服|胶囊|颗粒|冲剂|药膏|软膏|栓剂|贴剂|[崩分]解片|缓释片|肠溶片|咀嚼片|注射|疫苗|维生素|补钙"
)

_COMPLAINT = re.compile(
    r"不舒服|难受|不对劲|不得劲|不太好|不好受|怪怪|毛病|症状|感觉|疼|痛|痒|晕|胀|(?<![盐磺硫叶乳氨醋碳])酸|麻|闷|累|虚|没劲|"
    r"没力气|没精神|不行了|受不了|憋"
)
"""Words of someone describing how they (or a relative) feel, whether or not a symptom is named (酸 not in a
drug's 盐酸, 牛磺酸)."""


class ConsultationGraph:
    """Builds and holds the compiled graph; the nodes are methods so they share the components."""

    def __init__(
        self,
        tools: ConsultationTools,
        policy: Policy,
        triage: Triage,
        chat_model: BaseChatModel,
        settings: AgentSettings,
        checkpointer: Checkpointer,
        gate: GenerationGate | None = None,
    ) -> None:
        self.tools, self.policy, self.triage = tools, policy, triage
        self.chat_model, self.settings = chat_model, settings
        self.gate = gate or GenerationGate()
        self.locations = BodyLocations.load()
        graph = StateGraph(ConsultState)
        graph.add_node("triage", self.triage_node)
        graph.add_node("understand", self.understand_node)
        graph.add_node("decline", self.decline_node)
        graph.add_node("clarify", self.clarify_node)
        graph.add_node("screen", self.screen_node)
        graph.add_node("ask", self.ask_node)
        graph.add_node("answer", self.answer_node)
        graph.add_edge(START, "triage")
        graph.add_conditional_edges("triage", self._after_triage, ["understand", END])
        graph.add_conditional_edges(
            "understand", self._after_understand, ["screen", "clarify", "decline", "ask", "answer"]
        )
        for node in ("screen", "clarify", "decline", "ask", "answer"):
            graph.add_edge(node, END)
        self.compiled = graph.compile(checkpointer=checkpointer)

    # --- nodes -------------------------------------------------------------------------------------------
    def triage_node(self, state: ConsultState) -> dict[str, Any]:
        message = state["message"]
        history = [*state.get("history", []), {"role": "user", "content": message}]
        screening = state.get("screening")
        if screening and affirms(message):
            result: TriageResult | None = self.triage.escalate(self.triage.result(screening))
        else:
            result = self.triage.check(patient_statements({**state, "history": history}))
        update: dict[str, Any] = {
            "history": history,
            "reply": {},
            "screen": None,
            "screening": None,
            "notice": None,
        }
        if result is None:
            return update
        if result.level == "emergency":
            replied = self._replied(history, emergency_reply(result))
            return {**update, **replied, "urgency": "emergency", "red_flag": result.rule.id}
        if result.level == "urgent":
            told = state.get("red_flag") == result.rule.id
            return {
                **update,
                "urgency": "urgent",
                "red_flag": result.rule.id,
                "notice": None if told else result.reply_text(),
            }
        if result.rule.id not in state.get("screened", []):
            return {**update, "screen": result.to_dict()}
        return update

    def understand_node(self, state: ConsultState) -> dict[str, Any]:
        stored = state.get("pending")
        pending = Question(**stored) if stored else None
        reading = read_message(
            self.tools.kg, state["message"], pending, self.policy.body_part_names, self.locations
        )
        facts = PatientFacts.from_dict(state.get("facts", {})).merge(reading.facts)
        observations = [
            *state.get("observations", []),
            *(observation_to_dict(o) for o in reading.observations),
        ]
        question: Question | None = None  # a question about a known disease (or a drug) is answered
        if not reading.asked_about:
            question = self.policy.next_question(
                inquiry_state({**state, "observations": observations, "facts": asdict(facts)})
            )
        return {
            "observations": observations,
            "next_question": asdict(question) if question is not None else None,
            "pending": None,
            "answering": pending is not None,
            "asked_about": list(reading.asked_about),
            "facts": asdict(facts),
            "mentions": list(
                dict.fromkeys(
                    [*state.get("mentions", []), *(m.name for m in reading.mentions if not m.negated)]
                )
            ),
        }

    def screen_node(self, state: ConsultState) -> dict[str, Any]:
        """Ask the question that rules a red flag in or out, before any other question or answer."""
        stored = state.get("screen")
        assert stored is not None  # routed here only when there is one
        result = self.triage.result(stored)
        reply = Reply(
            kind="question", text=result.reply_text(), question={"kind": "screen", "target": result.rule.id}
        )
        return {
            **self._replied(state["history"], reply, state),
            "screen": None,
            "screening": stored,
            "screened": [*state.get("screened", []), result.rule.id],
        }

    def clarify_node(self, state: ConsultState) -> dict[str, Any]:
        """Ask what the complaint is: the patient's words named no symptom the graph knows."""
        question = Question("clarify")
        reply = Reply(kind="question", text=template_text(question), question=asdict(question))
        return {
            **self._replied(state["history"], reply, state),
            "pending": asdict(question),
            "clarified": True,
        }

    def decline_node(self, state: ConsultState) -> dict[str, Any]:
        return self._replied(state["history"], Reply(kind="declined", text=DECLINE), state)

    def ask_node(self, state: ConsultState) -> dict[str, Any]:
        stored = state.get("next_question")
        assert stored is not None  # routed here only when there is one
        question = Question(**stored)
        who = PatientFacts.from_dict(state.get("facts", {})).who or "您"
        text = self.tools.ask_patient.invoke({"question": self._phrase(question, who)})
        reply = Reply(
            kind="question",
            text=text,
            candidates=self._candidates(inquiry_state(state)),
            question=asdict(question),
        )
        return {
            **self._replied(state["history"], reply, state),
            "asked": [*state.get("asked", []), asdict(question)],
            "pending": asdict(question),
        }

    def answer_node(self, state: ConsultState, config: RunnableConfig) -> dict[str, Any]:
        """The structured answer (from data), then the generator's explanation, each sentence checked and
        cited by attribution as it streams, then the literature and the disclaimer; the pieces streamed
        add up to the reply's text."""
        inquiry = inquiry_state(state)
        candidates = self._candidates(inquiry) if inquiry.present else []
        facts = PatientFacts.from_dict(state.get("facts", {}))
        plan = self._plan(inquiry, candidates, facts)
        patient_messages = [m["content"] for m in state["history"] if m["role"] == "user"]
        query = retrieval_query(patient_messages, inquiry.present, plan.diseases)
        literature = self.tools.literature_search.invoke({"query": query, "k": self.settings.literature_k})
        sources = SourceRegistry()
        conditions = self._conditions(state)
        head = (
            plan_sections(plan, sources)
            + condition_sections(conditions, sources)
            + drug_sections(self._drugs(state, [c.disease for c in conditions]), sources)
        )
        keys = self._prompt_sources(plan, facts.history, literature, sources)
        checker = SentenceChecker(
            [(key, sources.text(key)) for key in keys],
            graph_names(self.tools.kg.dictionary.link),
            {*plan.diseases, *facts.history},
            plan.confident,
        )
        # A message that answers a follow-up question is no question (unless it also asks one): ask what the
        # consultation is about.
        answering = state.get("answering") and not state.get("asked_about")
        question = f"{patient_messages[0]}{WHAT_NOW}" if answering else state["message"]
        messages = answer_messages(
            question, self._findings_text(inquiry, state), prompt_labels(keys, sources)
        )
        writer = get_stream_writer()
        notice = state.get("notice") if state.get("urgency") == "urgent" else None
        if notice:  # _replied puts it before the answer: stream it first, so the pieces add up to the reply
            writer(f"{notice}\n\n")
        pieces: list[str] = []

        def emit(text: str) -> None:
            if text:
                pieces.append(text)
                writer(text)

        emit(head + ("【说明与护理】\n" if plan.candidates else "【回答】\n"))
        withheld: list[str] = []
        kept = 0
        cancel: threading.Event | None = config.get("configurable", {}).get("cancel")
        with self.gate.slot(cancel):
            started, generated = time.perf_counter(), 0

            def tokens() -> Iterator[str]:
                nonlocal generated
                for chunk in self.chat_model.stream(messages, max_tokens=self.settings.max_new_tokens):
                    if cancel is not None and cancel.is_set():
                        raise TurnCancelled("cancelled while generating")
                    if chunk.text:
                        generated += 1
                        yield chunk.text

            for verdict in checked_stream(tokens(), checker):
                if verdict.kept:
                    emit(with_markers(verdict.text, [sources.cite(key) for key in verdict.sources]))
                    kept += 1
                elif verdict.reason is not None:
                    withheld.append(verdict.reason)
            self.gate.record(generated, time.perf_counter() - started)
        emit(("" if kept else GENERAL_CARE_TEXT) + "\n")
        emit(literature_section(literature, sources))
        emit(f"\n{DISCLAIMER}")
        reply = Reply(
            kind="answer",
            text="".join(pieces),
            candidates=candidates,
            citations=sources.citations,
            withheld=withheld,
        )
        return self._replied(state["history"], reply, state)

    def _plan(
        self, inquiry: InquiryState, candidates: list[CandidateScore], facts: PatientFacts
    ) -> AnswerPlan:
        kg = self.tools.kg
        ranking = [Ranked(c.disease, c.probability) for c in candidates]
        leading = [r.disease for r in ranking[: self.settings.answer_candidates]]
        triples = {d: found.triples for d in leading if (found := kg.facts(d, PLAN_FACTS)) is not None}
        return plan_answer(
            ranking,
            inquiry.present,
            inquiry.absent,
            triples,
            kg.concepts_named,
            self.triage.warning,
            facts.medications,
            candidates=self.settings.answer_candidates,
        )

    def _conditions(self, state: ConsultState) -> list[ConditionFacts]:
        """What the graph records of each disease this turn's message asks about (of a drug: ``_drugs``)."""
        kg = self.tools.kg
        return [
            condition_facts(name, found.triples)
            for name in state.get("asked_about", [])
            if (found := kg.facts(name, CONDITION_FACTS)) is not None
        ]

    def _drugs(self, state: ConsultState, diseases: Sequence[str]) -> list[DrugFacts]:
        """What the graph records of each drug this turn's message asks about, and whether each disease it
        asks about (``diseases``) lists it."""
        kg = self.tools.kg
        asked = [name for name in state.get("asked_about", []) if name not in diseases]
        return [drug_facts(uses, diseases) for name in asked if (uses := kg.drug_uses(name)).listed_by]

    def _prompt_sources(
        self,
        plan: AnswerPlan,
        named: tuple[str, ...],
        literature: list[dict[str, Any]],
        sources: SourceRegistry,
    ) -> list[str]:
        """The keys of what the generator may draw on: the plan's facts, the facts of diseases the patient
        named that the plan does not cover, the literature."""
        keys = [sources.add_triple(t) for t in plan_triples(plan)]
        for disease in named:
            if disease not in plan.diseases:
                keys += [sources.add_triple(t) for t in self.tools.disease_facts(disease)]
        keys += [sources.add_passage(hit) for hit in literature]
        return list(dict.fromkeys(keys))

    # --- routing -----------------------------------------------------------------------------------------
    def _after_triage(self, state: ConsultState) -> str:
        return END if state.get("reply") else "understand"

    def _after_understand(self, state: ConsultState) -> str:
        if state.get("screen"):
            return "screen"
        inquiry = inquiry_state(state)
        understood = inquiry.present or state.get("mentions")
        if not understood and not state.get("clarified") and _COMPLAINT.search(state["message"]):
            return "clarify"
        said = [m["content"] for m in state.get("history", []) if m["role"] == "user"]
        if not understood and not any(_MEDICAL.search(m) or _COMPLAINT.search(m) for m in said):
            return "decline"  # nothing in the whole conversation is about health
        return "ask" if state.get("next_question") is not None else "answer"

    # --- helpers -----------------------------------------------------------------------------------------
    def _candidates(self, inquiry: InquiryState) -> list[CandidateScore]:
        ranking = self.policy.ranking(inquiry, limit=5)
        return [CandidateScore(disease=r.disease, probability=r.probability) for r in ranking]

    def _phrase(self, question: Question, who: str) -> str:
        everyday = self.tools.kg.concepts.everyday
        template = template_text(question, who, everyday)
        if not self.settings.phrase_questions:
            return template
        instruction = rephrase_instruction(question, who, everyday)
        text = self.chat_model.invoke([("user", instruction)], max_tokens=48).text
        return text.strip() if accept_rephrased(question, text) else template

    def _findings_text(self, inquiry: InquiryState, state: ConsultState) -> str:
        return PatientFacts.from_dict(state.get("facts", {})).summary(inquiry.present, inquiry.absent)

    @staticmethod
    def _replied(
        history: list[dict[str, str]], reply: Reply, state: ConsultState | None = None
    ) -> dict[str, Any]:
        """The reply recorded in the history; with ``state``, it carries the consultation's urgency and
        this turn's urgent notice goes first."""
        if state is not None and state.get("urgency") == "urgent":
            notice = state.get("notice")
            text = f"{notice}\n\n{reply.text}" if notice else reply.text
            reply = reply.model_copy(
                update={"text": text, "urgency": "urgent", "red_flag": state.get("red_flag")}
            )
        return {
            "history": [*history, {"role": "assistant", "content": reply.text}],
            "reply": reply.model_dump(),
        }


def patient_statements(state: ConsultState) -> list[str]:
    """What triage reads: every patient message so far, oldest first, and each symptom the patient confirmed
    with a bare yes to a follow-up question (the latest included), said out ("有呕血") so it counts too.

    >>> patient_statements({"history": [{"role": "user", "content": "我肝硬化"}], "message": "有的",
    ...                     "pending": {"kind": "symptom", "target": "呕血"}})
    ['我肝硬化', '有呕血']
    """
    said = [m["content"] for m in state.get("history", []) if m["role"] == "user"]
    confirmed = [
        o["symptom"]
        for o in state.get("observations", [])
        if o.get("kind") == "answered" and o.get("present")
    ]
    pending = state.get("pending")
    target = pending.get("target") if pending and pending.get("kind") == "symptom" else None
    if target and affirms(state["message"], [target]):
        confirmed.append(target)
    return [*said, *(f"有{symptom}" for symptom in dict.fromkeys(confirmed))]


def emergency_reply(result: TriageResult) -> Reply:
    """The reply to an emergency red flag: what it is, call 120, what to do and not do (no generation)."""
    return Reply(kind="emergency", text=result.reply_text(), urgency="emergency", red_flag=result.rule.id)


def symptom_names(tools: ConsultationTools) -> list[str]:
    """The graph's symptom names (triage widens its rules with them)."""
    return [surface for surface, (label, _) in tools.kg.dictionary.entries.items() if label is Label.SYMPTOM]
