"""Red-flag triage: emergency presentations get an immediate emergency reply, before any generation.

>>> triage = Triage.load()
>>> triage.check("我胸口痛得厉害，还一直出冷汗").rule.id
'chest_pain_sweating'
>>> triage.check("没有胸痛，也不出汗，就是有点咳嗽") is None
True

The rules are data (``agent/data/red_flags.toml``, documented in ``docs/TRIAGE.md``): a rule fires when each
of its term groups has a term in the message that is not negated, unless the message has one of the rule's
``unless`` terms (an event already diagnosed and under care). ``Triage.load(symptoms=...)`` adds to a
group every knowledge-graph symptom whose name contains one of the group's ``kg_contains`` substrings.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from wenzhen.core.errors import InputError
from wenzhen.retrieval.negation import negated_before


@dataclass(frozen=True)
class RedFlagRule:
    id: str
    name: str
    advice: str
    groups: tuple[tuple[str, ...], ...]
    unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class TriageResult:
    rule: RedFlagRule
    matched: tuple[str, ...]

    def reply_text(self) -> str:
        return (
            f"您描述的情况（{self.rule.name}）属于急症信号，请立即拨打 120 急救电话，或马上到最近医院的急诊科"
            f"就诊，不要等待线上回复。{self.rule.advice}"
        )


class Triage:
    def __init__(self, rules: list[RedFlagRule]) -> None:
        if not rules:
            raise InputError("no red-flag rules")
        self.rules = rules

    @classmethod
    def load(cls, path: Path | None = None, symptoms: Iterable[str] = ()) -> Triage:
        """Rules from ``path`` (default: the packaged red_flags.toml), groups widened with KG ``symptoms``."""
        if path is None:
            text = (
                resources.files("wenzhen.agent.data").joinpath("red_flags.toml").read_text(encoding="utf-8")
            )
            where = "agent/data/red_flags.toml"
        else:
            text, where = path.read_text(encoding="utf-8"), str(path)
        names = sorted(set(symptoms))
        rules = []
        for number, raw in enumerate(tomllib.loads(text).get("rule", []), start=1):
            missing = [key for key in ("id", "name", "advice", "all") if key not in raw]
            if missing:
                raise InputError(f"{where}: rule {number}: missing {', '.join(missing)}")
            groups = [list(group) for group in raw["all"]]
            for i, substrings in enumerate(raw.get("kg_contains", [])):
                if i >= len(groups):
                    raise InputError(f"{where}: rule {raw['id']}: kg_contains has more groups than all")
                groups[i] += [n for n in names if any(s in n for s in substrings) and n not in groups[i]]
            if not all(groups):
                raise InputError(f"{where}: rule {raw['id']}: an empty term group")
            rules.append(
                RedFlagRule(
                    raw["id"],
                    raw["name"],
                    raw["advice"],
                    tuple(map(tuple, groups)),
                    tuple(raw.get("unless", ())),
                )
            )
        return cls(rules)

    def check(self, text: str) -> TriageResult | None:
        """The first rule whose every group has a non-negated term in ``text``."""
        for rule in self.rules:
            if any(term in text for term in rule.unless):
                continue
            matched = [_find(text, group) for group in rule.groups]
            if all(matched):
                return TriageResult(rule, tuple(m for m in matched if m))
        return None


def _find(text: str, terms: tuple[str, ...]) -> str | None:
    for term in terms:
        start = text.find(term)
        while start >= 0:
            if not negated_before(text, start, max_gap=0):
                return term
            start = text.find(term, start + 1)
    return None
