"""Every registered name builds from a config dict in a fresh process.

The child process imports nothing of ours but the registry module and sets
the default scope, so the registries' ``locations`` must import the
components; the test also fails when a registered name has no case here.
"""
import json
import subprocess
import sys
import textwrap

import mmreid_mmn.registry as registry
from mmreid_mmn.utils import register_all_modules

TINY_BACKBONE = dict(type='TwoStreamResNet', depth=18)
TINY_HEAD = dict(type='PartBNNeckHead', in_channels=512)
TRAIN_LOADER = dict(batch_size=None, num_workers=0,
                    sampler=dict(type='CrossModalityIdentitySampler',
                                 num_identities=2, num_instances=2),
                    batch_sampler=dict(type='CrossModalityBatchSampler'),
                    dataset=dict(type='SYSUMM01Dataset', data_root='<sysu>',
                                 pipeline=[]))

TEST_LOADER = dict(batch_size=4, num_workers=0,
                   sampler=dict(type='DefaultSampler', shuffle=False),
                   dataset=dict(type='SYSUMM01Dataset', data_root='<sysu>',
                                split='test', pipeline=[]))
TEST_METRIC = dict(type='SYSUMM01Metric', num_trials=2)
CASES = {
    'HOOKS': {
        'AtomicCheckpointHook': dict(interval=1),
        'SafeCheckpointLoadingHook': {},
        'EpochSeedHook': {},
        'ExtractionProgressHook': {},
    },
    'DATASETS': {
        'SYSUMM01Dataset': dict(data_root='<sysu>', split='train'),
        'RegDBDataset': dict(data_root='<regdb>', split='test', trial=2),
        'LLCMDataset': dict(data_root='<llcm>', split='train'),
    },
    'DATA_SAMPLERS': {
        'CrossModalityIdentitySampler':
        dict(dataset=dict(type='SYSUMM01Dataset', data_root='<sysu>'),
             num_identities=2, num_instances=2, seed=0),
        'CrossModalityBatchSampler':
        dict(sampler=dict(type='CrossModalityIdentitySampler',
                          dataset=dict(type='SYSUMM01Dataset',
                                       data_root='<sysu>'),
                          num_identities=2, num_instances=2, seed=0)),
    },
    'TRANSFORMS': {
        'LoadRGBImage': {},
        'PaddedRandomCrop': dict(padding=10),
        'RandomErasing': dict(prob=0.5),
        'RandomChannelExchange': {},
        'RandomChannelReplacement': {},
        'ChannelRandomErasing': {},
        'PackReIDInputs': {},
    },
    'MODELS': {
        'MMN': dict(backbone=TINY_BACKBONE, neck=dict(type='MMG'),
                    head=dict(TINY_HEAD, num_parts=4),
                    loss_dcl=dict(type='DistributionConsistencyLoss',
                                  in_channels=512)),
        'AGW': dict(backbone=dict(TINY_BACKBONE,
                                  non_local_stages=(0, 1, 1, 0)),
                    head=dict(TINY_HEAD, num_parts=1, pooling='gem')),
        'DEEN': dict(backbone=dict(type='DEENResNet', depth=18),
                     head=dict(TINY_HEAD, num_parts=1)),
        'TwoStreamResNet': dict(depth=18),
        'DEENResNet': dict(depth=18, num_stages=3),
        'MMG': {},
        'PartBNNeckHead': dict(num_classes=3, in_channels=8),
        'NonLocalBlock2d': dict(in_channels=8),
        'GeneralizedMeanPooling': {},
        'CrossEntropyLoss': dict(label_smoothing=0.1),
        'TripletLoss': dict(margin=0.3),
        'WeightedRegularizedTripletLoss': {},
        'CPMLoss': dict(margin=0.2, loss_weight=0.8),
        'OrthogonalityLoss': dict(loss_weight=0.01),
        'DistributionConsistencyLoss': dict(in_channels=16),
        'ReIDDataPreprocessor': {},
    },
    'RUNNERS': {
        'ReIDRunner': dict(model=dict(type='AGW', backbone=TINY_BACKBONE,
                                      head=dict(TINY_HEAD, num_parts=1)),
                           work_dir='work_dir', experiment_name='registry',
                           default_scope='mmreid_mmn'),
    },
    # built with the ReIDRunner above as their runner
    'LOOPS': {
        'ReIDTrainLoop': dict(dataloader=TRAIN_LOADER, max_epochs=1),
        'ReIDValLoop': dict(dataloader=TEST_LOADER, evaluator=TEST_METRIC),
        'ReIDTestLoop': dict(dataloader=TEST_LOADER, evaluator=TEST_METRIC,
                             extract='all'),
    },
    'LOG_PROCESSORS': {
        'ReIDLogProcessor': dict(by_epoch=True),
    },
    'OPTIM_WRAPPER_CONSTRUCTORS': {
        'ReIDOptimWrapperConstructor':
        dict(optim_wrapper_cfg=dict(optimizer=dict(type='SGD', lr=0.1))),
    },
    'METRICS': {
        'SYSUMM01Metric': dict(mode='indoor'),
        'RegDBMetric': dict(direction='visible_to_infrared'),
        'LLCMMetric': {},
        'DumpReIDFeatures': dict(out_file='features.pth'),
    },
}

CHILD = textwrap.dedent('''
    import json, sys
    from mmengine.registry import DefaultScope
    import mmreid_mmn.registry as registry

    DefaultScope.get_instance('fresh', scope_name='mmreid_mmn')
    cases, roots = json.loads(sys.argv[1]), json.loads(sys.argv[2])

    def fill(value):
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return roots.get(value, value) if isinstance(value, str) else value

    built, runners = [], []
    for registry_name, names in cases.items():
        for name, args in names.items():
            cfg = fill(dict(type=name, **args))
            if registry_name == 'RUNNERS':  # runners go by runner_type
                cfg['runner_type'] = cfg.pop('type')
            if 'sampler' in cfg:
                cfg['sampler']['dataset'] = registry.DATASETS.build(
                    cfg['sampler']['dataset'])
                cfg['sampler'] = registry.DATA_SAMPLERS.build(cfg['sampler'])
            elif registry_name == 'DATA_SAMPLERS':
                cfg['dataset'] = registry.DATASETS.build(cfg['dataset'])
            if registry_name == 'LOOPS':
                cfg['runner'] = runners[0]
            obj = getattr(registry, registry_name).build(cfg)
            if registry_name == 'RUNNERS':
                runners.append(obj)
            assert type(obj).__name__ == name, (name, type(obj))
            built.append(name)
    print(json.dumps(built))
''')


def test_cases_cover_every_registered_name():
    register_all_modules(init_default_scope=False)
    registered = {
        name: set(getattr(registry, name).module_dict)
        for name in registry.__all__ if name != 'SCOPE'
    }
    registered = {k: v for k, v in registered.items() if v}
    assert registered == {k: set(v) for k, v in CASES.items()}


def test_every_name_builds_in_a_fresh_process(sysu_root, regdb_root,
                                              llcm_root, tmp_path):
    roots = {'<sysu>': str(sysu_root), '<regdb>': str(regdb_root),
             '<llcm>': str(llcm_root)}
    result = subprocess.run(
        [sys.executable, '-c', CHILD, json.dumps(CASES), json.dumps(roots)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    built = json.loads(result.stdout.strip().splitlines()[-1])
    assert sorted(built) == sorted(n for v in CASES.values() for n in v)
