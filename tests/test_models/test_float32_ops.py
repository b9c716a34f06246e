"""The operations kept in float32 under autocast: float32 results from
16-bit inputs, float64 kept, float32 runs unchanged."""
import pytest
import torch

from mmreid_mmn.models.utils import (euclidean_distance, float32_einsum,
                                     l2_normalize)


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
def test_einsum_runs_in_float32_under_autocast(dtype):
    # one large term and 2047 small ones, all exact in 16 bits: the dot
    # product 65536 + 2047/256 overflows float16 and is 65536 in bfloat16;
    # float32 keeps the small terms to within a few float32 steps
    feats = torch.full((1, 2, 2048), 2.**-4)
    feats[..., 0] = 256
    with torch.autocast('cpu', dtype=dtype):
        gram = float32_einsum('end,emd->enm', feats.to(dtype),
                              feats.to(dtype))
    assert gram.dtype == torch.float32
    assert gram[0, 0, 1].item() == pytest.approx(65536 + 2047 / 256,
                                                 abs=1)


def test_einsum_keeps_float64_and_float32_results():
    generator = torch.Generator().manual_seed(0)
    left = torch.randn(3, 4, generator=generator, dtype=torch.float64)
    right = torch.randn(4, 5, generator=generator)
    assert float32_einsum('ij,jk->ik', left, right).dtype == torch.float64
    single = left.float()
    assert torch.equal(float32_einsum('ij,jk->ik', single, right),
                       torch.einsum('ij,jk->ik', single, right))


def test_normalisation_and_distances_return_float32_under_autocast():
    feats = torch.randn(4, 8).bfloat16()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        assert l2_normalize(feats).dtype == torch.float32
        assert euclidean_distance(feats).dtype == torch.float32
