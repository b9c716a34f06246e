# Runtime shared by every config: runner, hooks, logging, environment,
# seeding.
default_scope = 'mmreid_mmn'
# MMEngine's Runner, reading checkpoints through an allow-list with one-line
# refusals (load_from, resume, tools/test.py). A plain Runner.from_cfg(cfg)
# runs these configs too: the hooks below save atomically and load through
# the same allow-list, and ReIDTrainLoop sizes the classifiers.
runner_type = 'ReIDRunner'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # The newest checkpoint is kept for resuming and the best one as
    # best_*.pth. 'auto' selects by the first metric the evaluator reports:
    # the VI-ReID metrics report their headline rank-1 first, whatever the
    # direction (e.g. sysu/ir2vis_rank1).
    # Checkpoints go to a temporary file renamed into place, so a run killed
    # while saving keeps its earlier ones.
    checkpoint=dict(type='AtomicCheckpointHook', interval=1,
                    max_keep_ckpts=1, save_best='auto', rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)

custom_hooks = [
    # load_from and resume accept the message hub's log buffers that every
    # checkpoint holds, and nothing else beyond torch's allow-list.
    dict(type='SafeCheckpointLoadingHook'),
    # Distributed runs: average BatchNorm statistics over the ranks after
    # each epoch, so the validation and the saved checkpoint agree with
    # tools/test.py (a no-op in one process).
    dict(type='SyncBuffersHook'),
    # Exact resume: main-process randomness depends on (seed, epoch) only.
    dict(type='EpochSeedHook'),
    # Validation and testing: a progress bar on a terminal, else a log line
    # every tenth of the batches.
    dict(type='ExtractionProgressHook'),
]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
    # glibc malloc keeps the memory a training step frees for the next step
    # instead of unmapping it and faulting it in again: MMN trained twice
    # as fast at 384x192 on 2 CPU cores, its peak RSS about a quarter higher
    # (docs/benchmarks.md). ReIDRunner sets these with mallopt for the run;
    # malloc_options=None keeps glibc's defaults.
    malloc_options=dict(mmap_max=0, trim_threshold=-1),
)

# The Epoch(val)/Epoch(test) line shows the headline and fused figures of
# each direction; every metric still goes to scalars.json.
log_processor = dict(type='ReIDLogProcessor', by_epoch=True)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)

log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
