"""fit_checkpoint: refuse what does not fit, tolerate two named gaps."""
import pytest
import torch

from mmreid_mmn.models.reid.checkpoint_fit import (CheckpointMismatchError,
                                                     fit_checkpoint,
                                                     revise_state_dict_keys)


def model_state(num_classes=8):
    return {
        'backbone.conv.weight': torch.zeros(4, 3, 3, 3),
        'head.classifiers.0.weight': torch.zeros(num_classes, 4),
        'head.classifiers.1.weight': torch.zeros(num_classes, 4),
        'loss_dcl.projector.0.weight': torch.zeros(2, 4),
    }


def test_a_fitting_checkpoint_loads_whole():
    fit = fit_checkpoint(model_state(), model_state(), 'a.pth', 'cfg.py')
    assert fit.notes == []
    assert fit.state_dict.keys() == model_state().keys()


def test_missing_unexpected_and_misshaped_are_named_in_one_line():
    checkpoint = model_state()
    del checkpoint['backbone.conv.weight']
    checkpoint['backbone.extra.weight'] = torch.zeros(1)
    checkpoint['loss_dcl.projector.0.weight'] = torch.zeros(2, 5)
    with pytest.raises(CheckpointMismatchError) as info:
        fit_checkpoint(model_state(), checkpoint, 'r18.pth', 'mmn_sysu.py')
    message = str(info.value)
    assert '\n' not in message
    assert message == (
        'checkpoint r18.pth does not fit the model of mmn_sysu.py: tensors '
        '1 missing (backbone.conv.weight); 1 unexpected '
        '(backbone.extra.weight); 1 of another shape '
        '(loss_dcl.projector.0.weight is (2, 5) in the checkpoint and '
        '(2, 4) in the model)')


def test_only_the_first_three_keys_are_listed():
    model = {f'k{i}': torch.zeros(1) for i in range(5)}
    with pytest.raises(CheckpointMismatchError,
                       match=r'5 missing \(k0, k1, k2 and 2 more\)$'):
        fit_checkpoint(model, {}, 'a.pth', 'cfg.py')


def test_another_identity_count_keeps_the_classifiers_and_says_so():
    fit = fit_checkpoint(model_state(8), model_state(5), 'a.pth', 'cfg.py')
    assert fit.notes == [
        'a.pth: the identity classifiers (head.classifiers.*) hold 5 '
        'identities and the model 8; they keep their initialisation '
        '(evaluation does not use them, training learns them anew)'
    ]
    assert not any(k.startswith('head.classifiers') for k in fit.state_dict)
    assert 'backbone.conv.weight' in fit.state_dict


def test_classifiers_of_another_width_are_refused():
    checkpoint = model_state()
    checkpoint['head.classifiers.0.weight'] = torch.zeros(8, 2)
    with pytest.raises(CheckpointMismatchError,
                       match=r'head\.classifiers\.0\.weight is \(8, 2\)'):
        fit_checkpoint(model_state(), checkpoint, 'a.pth', 'cfg.py')


def test_a_release_checkpoint_without_dcl_head_loads_the_rest():
    checkpoint = model_state()
    del checkpoint['loss_dcl.projector.0.weight']
    fit = fit_checkpoint(model_state(), checkpoint, 'release.pth', 'cfg.py')
    assert fit.notes == [
        'release.pth holds no DCL projection head (loss_dcl.*, which '
        'release checkpoints lack); it keeps its initialisation'
    ]
    assert fit.state_dict.keys() == checkpoint.keys()


def test_resuming_tolerates_nothing():
    checkpoint = model_state(5)
    del checkpoint['loss_dcl.projector.0.weight']
    with pytest.raises(CheckpointMismatchError) as info:
        fit_checkpoint(model_state(8), checkpoint, 'epoch_3.pth', 'cfg.py',
                       tolerate=False)
    assert '1 missing (loss_dcl.projector.0.weight)' in str(info.value)
    assert '2 of another shape (head.classifiers.0.weight' in str(info.value)


def test_revise_keys_strips_a_wrapper_prefix():
    revised = revise_state_dict_keys({'module.a.b': 1, 'c': 2},
                                     [(r'^module\.', '')])
    assert revised == {'a.b': 1, 'c': 2}
