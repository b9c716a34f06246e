"""The operations kept in float32 under mixed precision.

Under autocast to float16 or bfloat16 (``--amp``, ``test.py --amp``) the
convolutions and linear layers run in 16 bits, which is what makes them
fast; three kinds of operation must not:

- pairwise Euclidean distances (the triplet losses): the expansion
  ``|a|^2 + |b|^2 - 2 a.b`` cancels to noise in 16 bits when two features
  are close, exactly the hard pairs the losses look for;
- L2 normalisation (features, the DCL's projections): a 2048-d sum of
  squares loses its small terms;
- the features a metric ranks, so that rankings do not tie on rounding.

The losses' reductions (cross entropy, means) follow: cross entropy is in
autocast's float32 list, and the distances above are float32 already.
Each function casts its input to float32 and runs with autocast off, which
changes nothing in a float32 run.
"""
import torch
import torch.nn.functional as F


def l2_normalize(feats: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """``F.normalize(feats, dim)`` computed in float32."""
    with torch.autocast(feats.device.type, enabled=False):
        return F.normalize(feats.float(), dim=dim)


def euclidean_distance(feats: torch.Tensor) -> torch.Tensor:
    """Pairwise distances ``(..., B, B)`` of features ``(..., B, D)``, in
    float32.

    Squared distances are clamped at 1e-12 before the root (as the releases
    do), so the gradient stays finite on the diagonal.
    """
    with torch.autocast(feats.device.type, enabled=False):
        feats = feats.float()
        sq_norm = feats.pow(2).sum(dim=-1, keepdim=True)
        sq_dist = sq_norm + sq_norm.transpose(-1, -2) - 2 * torch.matmul(
            feats, feats.transpose(-1, -2))
        return sq_dist.clamp(min=1e-12).sqrt()
