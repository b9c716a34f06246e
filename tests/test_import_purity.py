"""Importing the package changes nothing in MMEngine or torch.

A fresh process first imports every third-party module that importing
``mmreid_mmn`` loads (torch registers safe globals of its own as its
sub-packages load), then records MMEngine's file backends and URI
prefixes, its checkpoint loaders, ``torch.load`` and torch's safe-globals
list, imports every sub-package of ``mmreid_mmn`` and calls
``register_all_modules()``, and records them again. Only building a
``ReIDRunner`` may add something, and only a backend of its own name.
"""
import json
import subprocess
import sys
import textwrap

SNAPSHOT = textwrap.dedent('''
    import json
    import pkgutil

    import torch
    from mmengine.fileio.backends import backends, prefix_to_backends
    from mmengine.runner.checkpoint import CheckpointLoader


    def name(obj):
        return f'{obj.__module__}.{obj.__qualname__}'


    def snapshot():
        return dict(
            backends={k: name(v) for k, v in backends.items()},
            prefixes={k: name(v) for k, v in prefix_to_backends.items()},
            schemes={k: name(v) for k, v in CheckpointLoader._schemes.items()},
            torch_load=name(torch.load),
            safe_globals=sorted(
                map(repr, torch.serialization.get_safe_globals())))
    ''')

IMPORT_EVERYTHING = textwrap.dedent('''
    import importlib

    import mmreid_mmn
    from mmreid_mmn.utils import register_all_modules

    for info in pkgutil.walk_packages(mmreid_mmn.__path__, 'mmreid_mmn.'):
        importlib.import_module(info.name)
    register_all_modules()
    ''')


def run_script(script: str):
    """Run ``script`` in a fresh interpreter; its last line, as JSON."""
    result = subprocess.run([sys.executable, '-c', script],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def dependency_modules() -> list:
    """The modules outside ``mmreid_mmn`` that importing it loads."""
    return run_script(SNAPSHOT + IMPORT_EVERYTHING + textwrap.dedent('''
        import sys
        print(json.dumps(sorted(
            name for name in sys.modules
            if name.split('.')[0] != 'mmreid_mmn')))
        '''))


def run_snapshots(between: str) -> list:
    """``[before, after]`` snapshots around the code ``between``, with the
    dependencies already imported."""
    script = SNAPSHOT + textwrap.dedent(f'''
        import importlib
        for module in {dependency_modules()!r}:
            try:
                importlib.import_module(module)
            except ImportError:  # private aliases such as 'six.moves.x'
                pass
        before = snapshot()
        ''') + between + textwrap.dedent('''
        print(json.dumps([before, snapshot()]))
        ''')
    return run_script(script)


def test_importing_every_module_changes_nothing():
    before, after = run_snapshots(IMPORT_EVERYTHING)
    # The snapshot sees what it should see: MMEngine's own local loading.
    assert before['backends']['local'] == \
        'mmengine.fileio.backends.local_backend.LocalBackend'
    assert before['schemes'][''] == \
        'mmengine.runner.checkpoint.load_from_local'
    assert after == before


def test_the_checkpoint_hook_adds_only_its_own_backend(tmp_path):
    build = IMPORT_EVERYTHING + textwrap.dedent(f'''
        from mmengine.model import BaseModel
        from mmreid_mmn.engine import ReIDRunner


        class Toy(BaseModel):
            def forward(self, *args, **kwargs):
                return {{}}


        ReIDRunner(model=Toy(), work_dir={str(tmp_path)!r},
                   default_hooks=dict(checkpoint=dict(
                       type='mmreid_mmn.AtomicCheckpointHook')))
        ''')
    before, after = run_snapshots(build)
    added = {k: v for k, v in after['backends'].items()
             if k not in before['backends']}
    assert added == {
        'atomic_local':
        'mmreid_mmn.fileio.atomic_local_backend.AtomicLocalBackend'
    }
    after['backends'] = before['backends']
    assert after == before
