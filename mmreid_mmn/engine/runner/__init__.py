from .protocol_loops import ReIDTestLoop, ReIDValLoop
from .reid_runner import ReIDRunner

__all__ = ['ReIDRunner', 'ReIDValLoop', 'ReIDTestLoop']
