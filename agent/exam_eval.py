"""``wenzhen eval mcq``: exam accuracy in each grounding mode, on the same questions in the same run, with the
gain over no grounding tested for significance (McNemar's exact test on the questions where they differ).

>>> mcnemar_p(10, 2)
0.038...
>>> wilson(80, 100)
(0.711..., 0.866...)

Deterministic (greedy; the few-shot examples drawn by a seed and left out of the scored questions),
resumable (predictions are appended to a JSONL file, one line per question and mode, and a re-run skips what
is there — provided the file was made by the same settings, recorded beside it) and shardable
(``--shard i/n`` scores every n-th question from the i-th; summarise the shards' files together).
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from wenzhen.agent.exam import ExamQuestion
from wenzhen.agent.exam_grounding import Grounding, Mode, question_text
from wenzhen.agent.exam_scoring import ANSWER_LEAD, INSTRUCTION, Scorer
from wenzhen.core.errors import InputError
from wenzhen.core.locks import writer_lock
from wenzhen.finetune.formats import ChatMessage

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Shard:
    """Questions ``index``, ``index + count``, … (1-based ``index``)."""

    index: int = 1
    count: int = 1

    @classmethod
    def parse(cls, text: str) -> Shard:
        try:
            index, count = (int(part) for part in text.split("/"))
        except ValueError as err:
            raise InputError(f"--shard takes i/n, e.g. 1/4, not {text!r}") from err
        if not 1 <= index <= count:
            raise InputError(f"--shard {text}: i must be between 1 and n")
        return cls(index, count)

    def of(self, questions: Sequence[ExamQuestion]) -> list[ExamQuestion]:
        return list(questions[self.index - 1 :: self.count])


@dataclass(frozen=True)
class McqRun:
    """What a predictions file was made with: a file made otherwise is not resumed into."""

    data: str
    data_sha256: str
    scorer: str
    shots: int
    seed: int
    limit: int | None
    model: str
    format: str
    grounding: str = ""

    def check(self, path: Path) -> None:
        """Record this run beside ``path``, or refuse if the predictions there came from another."""
        meta = path.with_name(path.name + ".run.json")
        if meta.exists():
            recorded = json.loads(meta.read_text(encoding="utf-8"))
            differs = {k: (recorded.get(k), v) for k, v in asdict(self).items() if recorded.get(k) != v}
            if differs:
                name, (old, new) = next(iter(differs.items()))
                raise InputError(
                    f"{path} holds predictions of another run ({name}: {old!r}, now {new!r}); "
                    "give another --out, or delete it to start over"
                )
        else:
            meta.parent.mkdir(parents=True, exist_ok=True)
            meta.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")


@dataclass(frozen=True)
class Prediction:
    id: str
    mode: str
    kind: str
    answer: list[str]
    predicted: list[str]
    correct: bool
    scores: dict[str, float] | None = None
    text: str | None = None

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> Prediction:
        return cls(**{name: row.get(name) for name in cls.__dataclass_fields__})  # type: ignore[arg-type]


def split_shots(
    questions: list[ExamQuestion], shots: int, seed: int
) -> tuple[list[ExamQuestion], list[ExamQuestion]]:
    """(the few-shot examples, drawn by ``seed``; the questions left to score, in file order)."""
    if shots < 0 or shots >= len(questions):
        raise InputError(
            f"--shots {shots}: between 0 and the number of questions less one ({len(questions) - 1})"
        )
    picked = set(random.Random(seed).sample(range(len(questions)), shots))
    return [questions[i] for i in sorted(picked)], [q for i, q in enumerate(questions) if i not in picked]


def messages_for(question: ExamQuestion, context: str, shots: list[ExamQuestion]) -> list[ChatMessage]:
    """The dialogue the model answers: each example a user turn and its answer, then the question (with its
    grounding context, if any)."""
    messages = []
    for example in shots:
        messages.append(ChatMessage("user", f"{INSTRUCTION}\n{question_text(example)}"))
        messages.append(ChatMessage("assistant", ANSWER_LEAD + "".join(example.answer)))
    reference = f"参考资料：\n{context}\n\n" if context else ""
    messages.append(ChatMessage("user", f"{INSTRUCTION}\n{reference}{question_text(question)}"))
    return messages


def read_predictions(paths: Iterable[Path]) -> list[Prediction]:
    rows = []
    for path in paths:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rows.append(Prediction.from_json(json.loads(line)))
    return rows


def run_mcq(
    questions: list[ExamQuestion],
    shots: list[ExamQuestion],
    modes: Sequence[Mode],
    grounding: Grounding,
    scorer: Scorer,
    out: Path,
    on_progress: Progress | None = None,
    wait_s: float = 0.0,
) -> list[Prediction]:
    """Score every (question, mode) not yet in ``out``, appending each prediction as it is made; every
    prediction of these questions and modes, old and new. One run at a time writes ``out`` (another ends
    with one line, or waits up to ``wait_s``)."""
    with writer_lock(out.with_name(out.name + ".lock"), "exam run", str(out), wait_s):
        done = {(p.id, p.mode): p for p in read_predictions([out])}
        todo = [(q, m) for q in questions for m in modes if (q.id, m) not in done]
        with out.open("a", encoding="utf-8") as handle:
            for number, (question, mode) in enumerate(todo, start=1):
                letters = list(question.options)
                choice = scorer.choose(
                    messages_for(question, grounding.context(question, mode), shots),
                    letters,
                    question.options,
                )
                prediction = Prediction(
                    question.id,
                    mode,
                    question.kind,
                    list(question.answer),
                    list(choice.letters),
                    choice.letters == question.answer,
                    choice.scores,
                    choice.text,
                )
                handle.write(json.dumps(asdict(prediction), ensure_ascii=False) + "\n")
                handle.flush()
                done[(question.id, mode)] = prediction
                if on_progress is not None:
                    on_progress(number, len(todo))
        return [done[(q.id, m)] for q in questions for m in modes]


def wilson(correct: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson interval of a proportion."""
    if total == 0:
        return (0.0, 1.0)
    p = correct / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return (float(centre - half), float(centre + half))


def mcnemar_p(gained: int, lost: int) -> float:
    """Two-sided exact McNemar p-value: ``gained`` questions right only with grounding, ``lost`` only
    without."""
    n = gained + lost
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(gained, lost) + 1)) / 2**n
    return float(min(1.0, 2 * tail))


@dataclass
class ModeSummary:
    mode: str
    correct: int
    total: int
    low: float
    high: float
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)
    gained: int = 0
    lost: int = 0
    p_value: float = 1.0
    unanswered: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def summarise(predictions: Sequence[Prediction], modes: Sequence[str] | None = None) -> list[ModeSummary]:
    """Accuracy per mode (and per kind), each mode's paired comparison with ``none`` on the questions both
    answered."""
    by_mode: dict[str, dict[str, Prediction]] = defaultdict(dict)
    for prediction in predictions:
        by_mode[prediction.mode][prediction.id] = prediction
    summaries = []
    for mode in modes or list(by_mode):
        rows = by_mode.get(mode, {})
        correct = sum(p.correct for p in rows.values())
        kinds: dict[str, tuple[int, int]] = {}
        for p in rows.values():
            right, seen = kinds.get(p.kind, (0, 0))
            kinds[p.kind] = (right + p.correct, seen + 1)
        summary = ModeSummary(mode, correct, len(rows), *wilson(correct, len(rows)), by_kind=kinds)
        summary.unanswered = sum(not p.predicted for p in rows.values())
        baseline = by_mode.get("none", {})
        if mode != "none" and baseline:
            paired = [(p, baseline[i]) for i, p in rows.items() if i in baseline]
            summary.gained = sum(p.correct and not b.correct for p, b in paired)
            summary.lost = sum(b.correct and not p.correct for p, b in paired)
            summary.p_value = mcnemar_p(summary.gained, summary.lost)
        summaries.append(summary)
    return summaries


def summary_lines(summaries: Sequence[ModeSummary]) -> Iterator[str]:
    for s in summaries:
        line = (
            f"{s.mode:<11} accuracy {s.accuracy:.3f} ({s.correct}/{s.total}, 95% CI {s.low:.3f}-{s.high:.3f})"
        )
        if s.mode != "none" and (s.gained or s.lost):
            line += f"  vs none: +{s.gained} -{s.lost}, McNemar p={s.p_value:.3g}"
        if s.unanswered:
            line += f"  no letter read: {s.unanswered}"
        yield line
        for kind, (right, seen) in sorted(s.by_kind.items()):
            yield f"    {kind:<9} {right / seen:.3f} ({right}/{seen})"
