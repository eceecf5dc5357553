"""The answer as a patient reads it: the plan's sections in Chinese, literature points, and the sources
numbered [K#]/[L#] in the order the text first cites them.

>>> from wenzhen.agent.answer_plan import AnswerPlan, CandidateView
>>> from wenzhen.retrieval.kg import Triple
>>> pain = Triple("胆囊炎", "相关症状", "右上腹痛", "HAS_SYMPTOM", "Symptom", "kg.jsonl", 3)
>>> sources = SourceRegistry()
>>> print(plan_sections(AnswerPlan([CandidateView("胆囊炎", 0.42, [("右上腹痛", pain)])], False), sources))
【初步判断】
根据目前了解到的情况，还不能确定是哪一种病，可能性较大的有：
1. 胆囊炎（约42%）：您说的右上腹痛[K1]是它的常见表现。
【需要立即就医的情况】
症状突然加重，或出现剧烈疼痛、呼吸困难、意识不清时，请立即拨打120或去急诊。
<BLANKLINE>
>>> [(c.id, c.source, c.line) for c in sources.citations]
[('K1', 'kg.jsonl', 3)]
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wenzhen.agent.answer import clean_source_text
from wenzhen.agent.answer_plan import AnswerPlan, CandidateView, ConditionFacts, DrugFacts
from wenzhen.agent.session import Citation
from wenzhen.retrieval.kg import Triple

SECTION_HEADS = ("【初步判断】", "【需要立即就医的情况】", "【说明与护理】")
"""The heads every answer after an inquiry has (checks, department, a doctor's options, the patient's
medicines and literature points come when there are facts for them)."""
UNFINISHED = "（问诊还没有结束：回答上面的问题后，我会给出更完整的分析。）"
"""Said when a scripted consultation stops at a question."""
URGENT_LINE = "症状突然加重，或出现剧烈疼痛、呼吸困难、意识不清时，请立即拨打120或去急诊。"
"""The safety line every answer after an inquiry ends its warning signs with."""
GENERAL_CARE_TEXT = "请注意休息、清淡饮食，按上面的建议尽快就诊，并留意症状的变化。"
"""The explanation when no generated sentence passes the checks: general care, no medical claim."""
PASSAGE_CHARS = 80


class SourceRegistry:
    """Sources by key (``kg:<triple>``, ``lit:<chunk id>``), numbered as the text first cites them: graph
    facts K1, K2 …, literature L1, L2 …; :attr:`citations` holds the cited ones, in that order."""

    def __init__(self) -> None:
        self._sources: dict[str, Citation] = {}
        self._ids: dict[str, str] = {}
        self.citations: list[Citation] = []

    def add_triple(self, triple: Triple) -> str:
        key = f"kg:{triple.text()}"
        self._sources.setdefault(
            key, Citation(id="", kind="kg", text=triple.text(), source=triple.source, line=triple.line)
        )
        return key

    def add_passage(self, hit: dict[str, Any]) -> str:
        key = f"lit:{hit['chunk_id']}"
        self._sources.setdefault(
            key,
            Citation(
                id="",
                kind="literature",
                text=clean_source_text(hit["text"]),
                source=hit["source"],
                chunk_id=hit["chunk_id"],
                title=hit.get("title"),
            ),
        )
        return key

    def text(self, key: str) -> str:
        return self._sources[key].text

    def cite(self, key: str) -> str:
        """The displayed id of a source added before (numbered now if this is its first citation)."""
        if key not in self._ids:
            source = self._sources[key]
            prefix = "K" if source.kind == "kg" else "L"
            number = sum(1 for c in self.citations if c.kind == source.kind) + 1
            self._ids[key] = f"{prefix}{number}"
            self.citations.append(source.model_copy(update={"id": self._ids[key]}))
        return self._ids[key]

    def marker(self, triple: Triple) -> str:
        return f"[{self.cite(self.add_triple(triple))}]"


def prompt_labels(keys: Sequence[str], sources: SourceRegistry) -> list[tuple[str, str]]:
    """The sources as the generator sees them: K1, K2 … and L1, L2 … in ``keys`` order (its own numbering:
    the answer numbers what it cites)."""
    counts = {"K": 0, "L": 0}
    labelled = []
    for key in keys:
        prefix = "K" if key.startswith("kg:") else "L"
        counts[prefix] += 1
        labelled.append((f"{prefix}{counts[prefix]}", sources.text(key)))
    return labelled


def _percent(probability: float) -> str:
    return f"约{max(1, round(probability * 100))}%"


def _candidate_line(number: int, view: CandidateView, sources: SourceRegistry) -> str:
    parts = []
    if view.supporting:
        said = "、".join(f"{s}{sources.marker(t)}" for s, t in view.supporting)
        parts.append(f"您说的{said}是它的常见表现")
    if view.against:
        denied = "、".join(f"{s}{sources.marker(t)}" for s, t in view.against)
        parts.append(f"但您没有{denied}，而这是它常见的表现，这一点不太支持")
    reason = "，".join(parts) if parts else "图谱中与您说的症状相符的记录不多，可能性是根据整体情况估计的"
    return f"{number}. {view.disease}（{_percent(view.probability)}）：{reason}。"


def plan_sections(plan: AnswerPlan, sources: SourceRegistry) -> str:
    """The structured part of the answer, before the generated explanation."""
    lines: list[str] = []
    if plan.candidates:
        lines.append("【初步判断】")
        if plan.confident:
            lead = plan.candidates[0]
            lines.append(
                f"根据目前了解到的情况，最可能是{lead.disease}（{_percent(lead.probability)}），"
                "但还需要医生面诊和检查才能确诊。各种可能："
            )
        else:
            lines.append("根据目前了解到的情况，还不能确定是哪一种病，可能性较大的有：")
        lines += [_candidate_line(n, view, sources) for n, view in enumerate(plan.candidates, start=1)]
    if plan.checks:
        lines += ["【建议检查】", "、".join(f"{t.tail}{sources.marker(t)}" for t in plan.checks) + "。"]
    if plan.departments:
        where = "、".join(f"{t.tail}{sources.marker(t)}" for t in plan.departments)
        lines += ["【建议科室】", f"可以先到{where}就诊。"]
    if plan.candidates:
        lines.append("【需要立即就医的情况】")
        for sign in plan.warnings:
            go = "立即拨打120或去急诊" if sign.level == "emergency" else "当天去医院就诊"
            lines.append(
                f"如果出现{sign.symptom.tail}{sources.marker(sign.symptom)}（可能是{sign.red_flag}），请{go}。"
            )
        lines.append(URGENT_LINE)
    if plan.treatments:
        named = "、".join(f"{t.tail}{sources.marker(t)}" for t in plan.treatments)
        lines += [
            "【医生可能会考虑】",
            f"如果确诊为{plan.candidates[0].disease}，医生可能会考虑{named}等；是否需要、怎么用，请由医生决定，不要自行用药。",
        ]
    if plan.medications:
        taken = "、".join(plan.medications)
        lines += [
            "【您正在用的药】",
            f"您提到在用{taken}：请继续按医嘱使用，不要自行停药或改变用量；有疑问请咨询开药的医生。",
        ]
    return "\n".join(lines) + ("\n" if lines else "")


CONDITION_HEADS = {
    "HAS_SYMPTOM": "常见表现",
    "IN_DEPARTMENT": "就诊科室",
    "NEEDS_CHECK": "常做的检查",
    "TREATED_BY": "治疗方法",
    "TREATED_WITH_DRUG": "常用药物",
    "HAS_COMPLICATION": "可能的并发症",
}
CONDITION_CAUTION = (
    "具体到您（家人）的情况能不能这样、要注意什么，请以医生的意见为准；药物请在医生指导下使用。"
)


def condition_sections(conditions: Sequence[ConditionFacts], sources: SourceRegistry) -> str:
    """What the graph records of each disease the patient asked about, each fact cited, then the caution;
    nothing when the graph records nothing of them."""
    lines: list[str] = []
    for condition in conditions:
        if condition.facts:
            lines.append(f"【关于{condition.disease}】")
            for kind, triples in condition.facts:
                named = "、".join(f"{t.tail}{sources.marker(t)}" for t in triples)
                lines.append(f"{CONDITION_HEADS[kind]}：{named}。")
    return "\n".join([*lines, CONDITION_CAUTION]) + "\n" if lines else ""


DRUG_CAUTION = (
    "图谱没有记录药物的用法用量、不良反应和禁忌；能不能用、怎么用、用多久，请按药品说明书或遵医嘱，"
    "有疑问请咨询医生或药师。"
)


def drug_sections(drugs: Sequence[DrugFacts], sources: SourceRegistry) -> str:
    """What the graph records of each drug the patient asked about (the diseases it is listed for, and
    whether it is listed for each disease asked about), each fact cited, then the caution.

    >>> from wenzhen.retrieval.kg import Triple
    >>> lists = Triple("痔疮", "药物治疗", "肛泰", "TREATED_WITH_DRUG", "Drug", "kg.jsonl", 181)
    >>> facts = DrugFacts("肛泰", (lists,), 1, (("痔疮", lists), ("便秘", None)))
    >>> print(drug_sections([facts], SourceRegistry()))
    【关于肛泰】
    图谱中药物治疗列有它的疾病（共1种）：痔疮[K1]。
    痔疮：图谱中痔疮的药物治疗列有肛泰[K1]。
    便秘：图谱中便秘的药物治疗没有列出肛泰（没有列出不等于不能用）。
    图谱没有记录药物的用法用量、不良反应和禁忌；能不能用、怎么用、用多久，请按药品说明书或遵医嘱，有疑问请咨询医生或药师。
    <BLANKLINE>
    """
    lines: list[str] = []
    for drug in drugs:
        lines.append(f"【关于{drug.drug}】")
        if drug.listed_by:
            named = "、".join(f"{t.head}{sources.marker(t)}" for t in drug.listed_by)
            more = "等" if drug.diseases > len(drug.listed_by) else ""
            lines.append(f"图谱中药物治疗列有它的疾病（共{drug.diseases}种）：{named}{more}。")
        for disease, listed in drug.for_asked:
            if listed is not None:
                lines.append(f"{disease}：图谱中{disease}的药物治疗列有{drug.drug}{sources.marker(listed)}。")
            else:
                lines.append(
                    f"{disease}：图谱中{disease}的药物治疗没有列出{drug.drug}（没有列出不等于不能用）。"
                )
    return "\n".join([*lines, DRUG_CAUTION]) + "\n" if lines else ""


def literature_section(hits: Sequence[dict[str, Any]], sources: SourceRegistry) -> str:
    """Each passage with its title or question, an excerpt and its source."""
    if not hits:
        return ""
    lines = ["【文献要点】"]
    for hit in hits:
        key = sources.add_passage(hit)
        marker, passage = sources.cite(key), sources.text(key)
        title = f"《{hit['title']}》" if hit.get("title") else ""
        if hit.get("title") and (at := passage.find(hit["title"])) >= 0:  # the question, shown as the title
            passage = passage[at + len(hit["title"]) :].lstrip().removeprefix("答：").removeprefix("答:")
        excerpt = passage if len(passage) <= PASSAGE_CHARS else passage[:PASSAGE_CHARS] + "…"
        lines.append(f"[{marker}] {title}{excerpt}（来源：{Path(hit['source']).name}）")
    return "\n".join(lines) + "\n"
