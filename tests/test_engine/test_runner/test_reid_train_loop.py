"""ReIDTrainLoop: the head's identity count follows the training data, under
any runner, before the optimizer is built."""
import logging
from pathlib import Path

import pytest
import torch
from mmengine.runner import Runner

from mmreid_mmn.config import load_config
from mmreid_mmn.engine.runner import NumClassesError
from mmreid_mmn.utils import register_all_modules

register_all_modules()

TINY_CONFIG = (Path(__file__).parents[2] / 'data' / 'configs' /
               'mmn_tiny_sysu.py')


def tiny_runner(tmp_path, sysu_root, **options) -> Runner:
    """A plain MMEngine Runner of the tiny config on the session's SYSU tree
    (8 training identities)."""
    cfg = load_config(str(TINY_CONFIG),
                      {'data_root': str(sysu_root), **options})
    cfg.work_dir = str(tmp_path)
    cfg.experiment_name = f'{tmp_path.name}_{len(options)}'
    return Runner.from_cfg(cfg)


def log_text(runner: Runner) -> str:
    return Path(runner.log_dir, f'{runner.timestamp}.log').read_text()


def test_unset_follows_the_training_split(tmp_path, sysu_root):
    runner = tiny_runner(tmp_path, sysu_root)
    head = runner.model.head
    assert head.num_classes is None and len(head.classifiers) == 0
    assert runner.train_loop.max_epochs == 2  # builds the loop
    assert head.num_classes == 8
    assert [c.weight.shape for c in head.classifiers] == [(8, 512)] * 4
    assert (f'model.head.num_classes=8, the training identities of '
            f'SYSUMM01Dataset at {sysu_root}') in log_text(runner)
    # built after the loop, the optimizer trains the classifiers too
    optimizer = runner.build_optim_wrapper(runner.optim_wrapper).optimizer
    trained = {id(p) for group in optimizer.param_groups
               for p in group['params']}
    assert all(id(c.weight) in trained for c in head.classifiers)


def test_sized_classifiers_equal_those_of_an_explicit_count(
        tmp_path, sysu_root):
    sized = tiny_runner(tmp_path / 'a', sysu_root)
    assert sized.train_loop.max_epochs == 2
    explicit = tiny_runner(tmp_path / 'b', sysu_root,
                           **{'model.head.num_classes': 8})
    for a, b in zip(sized.model.head.classifiers,
                    explicit.model.head.classifiers):
        assert torch.equal(a.weight, b.weight)
    # the same initial values everywhere else too
    for (name, a), b in zip(sized.model.state_dict().items(),
                            explicit.model.state_dict().values()):
        assert torch.equal(a, b), name


def test_a_smaller_num_classes_is_refused(tmp_path, sysu_root):
    runner = tiny_runner(tmp_path, sysu_root,
                         **{'model.head.num_classes': 5})
    with pytest.raises(NumClassesError) as info:
        runner.build_train_loop(runner.cfg.train_cfg)
    assert str(info.value) == (
        f'{TINY_CONFIG}: model.head.num_classes=5 is smaller than the 8 '
        f'training identities of SYSUMM01Dataset at {sysu_root}; leave it '
        'unset to follow the data')


def test_a_larger_num_classes_is_worth_a_warning(tmp_path, sysu_root):
    runner = tiny_runner(tmp_path, sysu_root,
                         **{'model.head.num_classes': 10})
    assert runner.train_loop.max_epochs == 2
    assert runner.model.head.num_classes == 10
    line = next(line for line in log_text(runner).splitlines()
                if 'is larger than' in line)
    assert f' - {logging.getLevelName(logging.WARNING)} - ' in line
    assert line.endswith(
        'model.head.num_classes=10 is larger than the 8 training '
        f'identities of SYSUMM01Dataset at {sysu_root}; 2 classifier rows '
        'are never a target')
