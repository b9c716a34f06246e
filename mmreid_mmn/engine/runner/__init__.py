from .build_runner import build_runner
from .cpu_distributed import setup_cpu_distributed
from .protocol_loops import ReIDTestLoop, ReIDValLoop
from .reid_log_processor import ReIDLogProcessor
from .reid_runner import ReIDRunner, latest_checkpoint
from .reid_train_loop import NumClassesError, ReIDTrainLoop

__all__ = [
    'build_runner', 'setup_cpu_distributed', 'ReIDLogProcessor', 'ReIDRunner',
    'latest_checkpoint', 'ReIDTrainLoop', 'NumClassesError', 'ReIDValLoop',
    'ReIDTestLoop'
]
