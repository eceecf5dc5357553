"""Cross-entropy through the output projection, in tiles: the ``(tokens, vocab)`` logits are never whole.

>>> import torch
>>> hidden, weight = torch.randn(5, 8), torch.randn(11, 8)
>>> targets = torch.tensor([1, 0, 10, 3, 3])
>>> full = torch.nn.functional.cross_entropy(hidden @ weight.T, targets, reduction="sum")
>>> bool(torch.allclose(tiled_cross_entropy(hidden, weight, targets, tile=2), full, atol=1e-5))
True

The forward pass keeps only each token's log-sum-exp; the backward pass projects each tile again and turns it
into the gradient of the hidden states (and of the weight, when it trains). Peak memory is a few tiles of
logits instead of three tensors of every labelled token's logits, for one extra projection.
"""

from __future__ import annotations

from typing import Any

import torch

TILE = 256
"""Tokens per tile: 256 x a 152k vocabulary is 155 MB of fp32 logits."""


class _TiledLinearCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any, hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, tile: int
    ) -> torch.Tensor:
        total = torch.zeros((), dtype=torch.float32, device=hidden.device)
        lse = torch.empty(hidden.shape[0], dtype=torch.float32, device=hidden.device)
        for start in range(0, hidden.shape[0], tile):
            logits = (hidden[start : start + tile] @ weight.T).float()
            lse[start : start + tile] = torch.logsumexp(logits, dim=-1)
            picked = logits.gather(1, targets[start : start + tile, None]).squeeze(1)
            total += (lse[start : start + tile] - picked).sum()
        ctx.save_for_backward(hidden, weight, targets, lse)
        ctx.tile = tile
        return total

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, torch.Tensor | None, None, None]:
        hidden, weight, targets, lse = ctx.saved_tensors
        grad_hidden = torch.empty_like(hidden) if ctx.needs_input_grad[0] else None
        grad_weight = torch.zeros_like(weight) if ctx.needs_input_grad[1] else None
        for start in range(0, hidden.shape[0], ctx.tile):
            rows = hidden[start : start + ctx.tile]
            probs = torch.exp((rows @ weight.T).float() - lse[start : start + ctx.tile, None])
            probs[torch.arange(rows.shape[0], device=rows.device), targets[start : start + ctx.tile]] -= 1
            grad_logits = (probs * grad).to(hidden.dtype)
            if grad_hidden is not None:
                grad_hidden[start : start + ctx.tile] = grad_logits @ weight
            if grad_weight is not None:
                grad_weight += grad_logits.T @ rows
        return grad_hidden, grad_weight, None, None


def tiled_cross_entropy(
    hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, tile: int = TILE
) -> torch.Tensor:
    """Summed cross-entropy of ``hidden @ weight.T`` against ``targets``, ``tile`` rows at a time."""
    result: torch.Tensor = _TiledLinearCrossEntropy.apply(hidden, weight, targets, tile)  # type: ignore[no-untyped-call]
    return result


_LOGIT_TRANSFORMS = (
    "final_logit_softcapping",
    "logit_scale",
    "output_multiplier",
    "lm_head_multiplier",
    "logits_scaling",
)


def plain_projection(head: Any, config: Any) -> torch.Tensor | None:
    """The output layer's weight when the logits are exactly ``hidden @ weight.T`` (a bias-free Linear, no
    adapter on it, no soft-capping or scaling after it), else None."""
    if type(head) is not torch.nn.Linear or head.bias is not None:
        return None
    text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
    if any(getattr(text_config, name, None) not in (None, 1.0) for name in _LOGIT_TRANSFORMS):
        return None
    weight: torch.Tensor = head.weight
    return weight
