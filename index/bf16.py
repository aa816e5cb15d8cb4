"""Matrix products in bfloat16 where the CPU computes them natively, everything else in float32.

The model's linear layers are ~80 % of its time, bound by reading their weights. With bfloat16 weights and
products (inputs cast in, outputs cast back, so layer norms, attention and residual sums stay float32),
m3e-small encodes regulation sentences ~2.5x faster on AVX512-BF16 cores and a question in ~8 ms instead
of ~12, with vectors at cosine >= 0.99998 to float32 ones (bench/README.md, "bfloat16 linear layers").
The whole model in bfloat16 was faster still, but its vectors fell to cosine 0.996. A CPU without native
bfloat16 emulates it, slower than float32: there "auto" means float32.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class BF16Linear(nn.Module):
    """y = x·Wᵀ + b with W and b held in bfloat16, x of any float dtype, y in `out_dtype`."""

    def __init__(self, linear: nn.Linear, out_dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        self.weight = nn.Parameter(linear.weight.detach().to(torch.bfloat16), requires_grad=False)
        self.bias = None if linear.bias is None else \
            nn.Parameter(linear.bias.detach().to(torch.bfloat16), requires_grad=False)
        self.out_dtype = out_dtype

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x.to(torch.bfloat16), self.weight, self.bias).to(self.out_dtype)


def linears_to_bf16(module: nn.Module) -> int:
    """Replace every nn.Linear inside `module` by its BF16Linear twin, in place; how many were replaced."""
    replaced = 0
    for name, child in module.named_children():
        if isinstance(child, nn.Linear):
            # A BERT-family feed-forward layer (BertIntermediate: dense, then its activation) feeds its 4x wide
            # output straight into the next product: kept in bfloat16, with the activation, it costs no cast
            # either way (builds 12 % faster, vectors as close to float32). Attention stays float32: no faster.
            widened = name == "dense" and hasattr(module, "intermediate_act_fn")
            setattr(module, name, BF16Linear(child, torch.bfloat16 if widened else torch.float32))
            replaced += 1
        else:
            replaced += linears_to_bf16(child)
    return replaced
