"""tools/analysis_tools/benchmark_release_train.py on a stand-in for the
MMN release's files: it builds the release's network with random weights
(the patched ``resnet50``), runs its criteria through the old ``addmm_``
call, steps its nine-group optimizer and prints benchmark_train.py's
columns."""
import textwrap

import pytest

from tool_runs import figures, number, run_tool

TOOL = 'analysis_tools/benchmark_release_train.py'

# model.py, loss.py and resnet.py with the release's names and calls:
# resnet50 refuses pretrained weights (the tool must patch them away), the
# triplet loss uses addmm_(beta, alpha, a, b), and the network returns four
# stripe features, four identity scores and its images, batch [V, Vm, I, Im].
STAND_IN = {
    'resnet.py': '''
        from torch import nn


        def resnet50(pretrained=False, **kwargs):
            if pretrained:
                raise RuntimeError('would download ImageNet weights')
            return nn.Conv2d(3, 4, 1)
    ''',
    'model.py': '''
        import torch
        from torch import nn

        from resnet import resnet50


        class embed_net(nn.Module):
            def __init__(self, class_num, no_local='on', gm_pool='on',
                         arch='resnet50'):
                super().__init__()
                self.base = resnet50(pretrained=True, last_conv_stride=1)
                for part in range(1, 5):
                    setattr(self, f'bottleneck{part}', nn.BatchNorm1d(4))
                    setattr(self, f'classifier{part}',
                            nn.Linear(4, class_num, bias=False))

            def forward(self, x1, x2, modal=0):
                x = self.base(torch.cat((x1, x1, x2, x2))).mean((2, 3))
                feats = [x * part for part in range(1, 5)]
                scores = [
                    getattr(self, f'classifier{part}')(
                        getattr(self, f'bottleneck{part}')(feat))
                    for part, feat in enumerate(feats, 1)
                ]
                return (*feats, *scores, [x1, x2])
    ''',
    'loss.py': '''
        from torch import nn


        class OriTripletLoss(nn.Module):
            def __init__(self, batch_size, margin=0.3):
                super().__init__()

            def forward(self, inputs, targets):
                dist = (inputs * inputs).sum(1, keepdim=True)
                dist = dist + dist.t()
                dist.addmm_(1, -2, inputs, inputs.t())
                return dist.clamp(min=1e-12).sqrt().mean(), 0


        class DCLoss(nn.Module):
            def __init__(self, num=2):
                super().__init__()

            def forward(self, x):
                return x.norm(dim=1).mean()
    ''',
}


def test_it_times_the_release_iteration(tmp_path):
    for name, text in STAND_IN.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    result = run_tool(TOOL, tmp_path, '--iters', 2, '--warmup', 1,
                      '--height', 32, '--width', 16)
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    found = figures(result.stdout)
    assert found['config'] == 'MMN release train.py'
    assert found['channels_last'] == 'False'
    assert found['malloc options'] == 'glibc default'
    assert found['input size (h x w)'] == '32x16'
    assert found['data loading share'] == 'not timed'
    loaded = number(found, 'images/s, loaded images')
    assert number(found, 'images/s, backbone inputs') == pytest.approx(
        2 * loaded, abs=0.11)
    assert number(found, 'seconds per iteration') > 0
    assert '(32 per iteration)' in result.stdout


def test_a_folder_without_the_release_is_one_line(tmp_path):
    result = run_tool(TOOL, tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f'error: {tmp_path} is not the MMN release (model.py, loss.py, '
        "resnet.py): No module named 'resnet'"]


@pytest.mark.parametrize('argv, message', [
    (['--iters', '0'], '--iters must be >= 1, got 0'),
    (['--warmup', '-1'], '--warmup must be >= 0, got -1'),
])
def test_usage_errors_exit_2_in_one_line(tmp_path, argv, message):
    result = run_tool(TOOL, tmp_path, *argv)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].endswith(
        f'error: {message}')
