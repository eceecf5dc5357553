"""Tiled cross-entropy through the output projection: same loss and gradients as the whole-logits form."""

from __future__ import annotations

from types import SimpleNamespace

import torch

from wenzhen.finetune.loss import plain_projection, tiled_cross_entropy


def test_loss_and_gradients_match_the_whole_logits_form_across_tiles() -> None:
    torch.manual_seed(0)
    hidden = torch.randn(13, 16, requires_grad=True)
    weight = torch.randn(50, 16, requires_grad=True)
    targets = torch.randint(0, 50, (13,))
    full = torch.nn.functional.cross_entropy(hidden @ weight.T, targets, reduction="sum")
    full.backward()  # type: ignore[no-untyped-call]
    expected = (hidden.grad.clone(), weight.grad.clone())  # type: ignore[union-attr]
    hidden.grad, weight.grad = None, None
    tiled = tiled_cross_entropy(hidden, weight, targets, tile=4)  # 4 tiles, the last one short
    tiled.backward()  # type: ignore[no-untyped-call]
    assert torch.allclose(tiled, full, atol=1e-4)
    assert torch.allclose(hidden.grad, expected[0], atol=1e-5)  # type: ignore[arg-type]
    assert torch.allclose(weight.grad, expected[1], atol=1e-5)  # type: ignore[arg-type]


def test_a_frozen_projection_gets_no_gradient() -> None:
    hidden = torch.randn(3, 4, requires_grad=True)
    weight = torch.randn(6, 4)
    tiled_cross_entropy(hidden, weight, torch.tensor([0, 5, 2])).backward()  # type: ignore[no-untyped-call]
    assert hidden.grad is not None and weight.grad is None


def test_only_a_plain_bias_free_projection_is_tiled() -> None:
    plain = torch.nn.Linear(4, 6, bias=False)
    assert plain_projection(plain, SimpleNamespace()) is plain.weight
    assert plain_projection(torch.nn.Linear(4, 6), SimpleNamespace()) is None  # a bias
    assert plain_projection(plain, SimpleNamespace(final_logit_softcapping=30.0)) is None
    assert plain_projection(plain, SimpleNamespace(logit_scale=0.0625)) is None
    assert (
        plain_projection(torch.nn.Sequential(plain), SimpleNamespace()) is None
    )  # e.g. an adapter around it
