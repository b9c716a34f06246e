"""tools/analysis_tools/get_flops.py on the tiny MMN config."""
import sys

import pytest

from tool_runs import TINY_CONFIG

from mmreid_mmn.config import load_config
from mmreid_mmn.registry import MODELS
from mmreid_mmn.utils import register_all_modules


def numel(*modules):
    return sum(p.numel() for module in modules for p in module.parameters())


def test_parameters_and_flops_of_the_test_time_forward(monkeypatch, capsys,
                                                       load_tool):
    tool = load_tool('tools/analysis_tools/get_flops.py')
    monkeypatch.setattr(sys, 'argv', ['get_flops.py', str(TINY_CONFIG)])
    tool.main()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ('MMN test-time forward of one 64x32 (height x width) '
                        'image')
    rows = {line.split()[0]: line.split(maxsplit=3) for line in lines[2:]}
    assert set(rows) == {'visible', 'infrared'}

    register_all_modules()
    cfg = load_config(str(TINY_CONFIG))
    model = MODELS.build(cfg.model)
    for modality, other in (('visible', 'infrared'), ('infrared', 'visible')):
        _, params, flops, not_run = rows[modality]
        # what runs: the modality's stem and MMG encoder, the shared
        # stages, the MMG decoder and the BNNecks
        assert int(params.replace(',', '')) == numel(
            model.backbone.streams[modality], model.backbone.shared,
            model.neck.encoders[modality], model.neck.decoder,
            model.head.bn_layers)
        assert int(flops.replace(',', '')) > 0
        assert not_run.split(', ') == [
            f'backbone.streams.{other}', 'loss_dcl',
            f'neck.encoders.{other}'
        ]


def test_a_missing_config_is_one_line(monkeypatch, load_tool, tmp_path):
    tool = load_tool('tools/analysis_tools/get_flops.py')
    missing = tmp_path / 'none.py'
    monkeypatch.setattr(sys, 'argv', ['get_flops.py', str(missing)])
    with pytest.raises(SystemExit) as exit_info:
        tool.main()
    assert exit_info.value.code == \
        f'error: config file {missing} does not exist'


def test_deen_counts_its_expanded_forward(monkeypatch, capsys, load_tool):
    config = TINY_CONFIG.parent / 'deen_tiny_sysu.py'
    tool = load_tool('tools/analysis_tools/get_flops.py')
    monkeypatch.setattr(sys, 'argv', ['get_flops.py', str(config)])
    tool.main()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ('DEEN test-time forward of one 64x32 (height x '
                        'width) image')
    register_all_modules()
    model = MODELS.build(load_config(str(config)).model)
    for line in lines[2:]:
        modality, params, flops, not_run = line.split(maxsplit=3)
        other = 'infrared' if modality == 'visible' else 'visible'
        # the stem, the shared stages, MFA blocks, DEE and the BNNeck run
        assert int(params.replace(',', '')) == numel(
            model.backbone.streams[modality], model.backbone.shared,
            model.backbone.mfa, model.backbone.dee, model.head.bn_layers)
        assert int(flops.replace(',', '')) > 0
        assert not_run == f'backbone.streams.{other}'
