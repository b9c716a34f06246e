from .hooks import *  # noqa
from .optimizers import *  # noqa
from .runner import *  # noqa
