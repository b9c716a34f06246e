"""The operations kept in float32 under mixed precision.

Under autocast to float16 or bfloat16 (``--amp``, ``test.py --amp``) the
convolutions and linear layers run in 16 bits, which is what makes them
fast; three kinds of operation must not:

- pairwise Euclidean distances (the triplet losses): the expansion
  ``|a|^2 + |b|^2 - 2 a.b`` cancels to noise in 16 bits when two features
  are close, exactly the hard pairs the losses look for;
- L2 normalisation (features, the DCL's projections) and dot products of
  features (DEEN's orthogonality loss): a 2048-d sum of products loses its
  small terms;
- the features a metric ranks, so that rankings do not tie on rounding.

The losses' reductions (cross entropy, means) follow: cross entropy is in
autocast's float32 list, and the distances above are float32 already.
Each function casts a 16-bit input to float32 and runs with autocast off,
which changes nothing in a float32 run; float64 stays float64 (a model
checked against another implementation after ``model.double()``).
"""
import torch
import torch.nn.functional as F


def at_least_float32(tensor: torch.Tensor) -> torch.Tensor:
    """``tensor`` in float32, or as it is when it is float64."""
    return tensor if tensor.dtype == torch.float64 else tensor.float()


def l2_normalize(feats: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """``F.normalize(feats, dim)`` computed in float32 (or float64)."""
    with torch.autocast(feats.device.type, enabled=False):
        return F.normalize(at_least_float32(feats), dim=dim)


def euclidean_distance(feats: torch.Tensor) -> torch.Tensor:
    """Pairwise distances ``(..., B, B)`` of features ``(..., B, D)``, in
    float32 (or float64).

    Squared distances are clamped at 1e-12 before the root (as the releases
    do), so the gradient stays finite on the diagonal.
    """
    with torch.autocast(feats.device.type, enabled=False):
        feats = at_least_float32(feats)
        sq_norm = feats.pow(2).sum(dim=-1, keepdim=True)
        sq_dist = sq_norm + sq_norm.transpose(-1, -2) - 2 * torch.matmul(
            feats, feats.transpose(-1, -2))
        return sq_dist.clamp(min=1e-12).sqrt()


def cross_euclidean_distance(left: torch.Tensor,
                             right: torch.Tensor) -> torch.Tensor:
    """Distances ``(M, N)`` between rows of ``left`` ``(M, D)`` and
    ``right`` ``(N, D)``, in float32 (or float64), squares clamped at
    1e-12 before the root like :func:`euclidean_distance`."""
    with torch.autocast(left.device.type, enabled=False):
        left, right = at_least_float32(left), at_least_float32(right)
        sq_dist = (left.pow(2).sum(dim=1, keepdim=True)
                   + right.pow(2).sum(dim=1).unsqueeze(0)
                   - 2 * left @ right.T)
        return sq_dist.clamp(min=1e-12).sqrt()


def float32_einsum(equation: str, *operands: torch.Tensor) -> torch.Tensor:
    """``torch.einsum(equation, *operands)`` computed in float32 (or
    float64 where an operand is)."""
    dtype = (torch.float64 if any(operand.dtype == torch.float64
                                  for operand in operands) else torch.float32)
    with torch.autocast(operands[0].device.type, enabled=False):
        return torch.einsum(equation,
                            *(operand.to(dtype) for operand in operands))
