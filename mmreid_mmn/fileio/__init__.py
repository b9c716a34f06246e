"""Reading and writing files safely: allow-listed checkpoint loading and
atomic writes. Nothing here changes MMEngine or torch when imported."""
from .atomic_file_writing import (atomic_output_file, atomic_output_path,
                                  atomic_torch_save)
from .atomic_local_backend import (ATOMIC_LOCAL_BACKEND, AtomicLocalBackend,
                                   register_atomic_local_backend)
from .safe_checkpoint_loading import (CheckpointFormatError,
                                      UnsafeCheckpointError,
                                      check_checkpoint_file,
                                      checkpoint_safe_globals,
                                      is_complete_checkpoint,
                                      load_checkpoint_safely)

__all__ = [
    'atomic_output_file', 'atomic_output_path', 'atomic_torch_save',
    'ATOMIC_LOCAL_BACKEND',
    'AtomicLocalBackend', 'register_atomic_local_backend',
    'CheckpointFormatError', 'UnsafeCheckpointError',
    'check_checkpoint_file', 'checkpoint_safe_globals',
    'is_complete_checkpoint',
    'load_checkpoint_safely'
]
