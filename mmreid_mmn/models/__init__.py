from .backbones import *  # noqa
from .data_preprocessors import *  # noqa
from .heads import *  # noqa
from .losses import *  # noqa
from .necks import *  # noqa
from .reid import *  # noqa
from .utils import *  # noqa
