"""One-line messages, not tracebacks, for mistakes a tool's user makes."""
import sys
from contextlib import contextmanager
from typing import Iterator, Type

from mmreid_mmn.config import (ConfigFileError, ConfigOptionError,
                               ConfigValueError, LinkedOptionError)
from mmreid_mmn.datasets.transforms import ImageReadError
from mmreid_mmn.engine.runner import NumClassesError
from mmreid_mmn.evaluation.functional import (CombinationError,
                                              RandPermCamError)
from mmreid_mmn.fileio import CheckpointFormatError, UnsafeCheckpointError
from mmreid_mmn.models.backbones import PretrainedWeightsError
from mmreid_mmn.models.reid.checkpoint_fit import CheckpointMismatchError

# Errors whose message alone tells the user what to fix: a path that does
# not exist (checkpoint, data root, split or index file, image), a folder
# that is a file or cannot be written, a refused, unreadable or ill-fitting
# checkpoint, an unreadable config file or a bad config option, a
# num_classes too small for the training data, a rand_perm_cam.mat that is
# not the dataset's, ImageNet weights that cannot be downloaded, a
# similarity combination the metric does not know.
USER_ERRORS = (FileNotFoundError, NotADirectoryError, PermissionError,
               ImageReadError, UnsafeCheckpointError,
               CheckpointFormatError, CheckpointMismatchError,
               ConfigFileError, ConfigOptionError, ConfigValueError,
               LinkedOptionError,
               NumClassesError, PretrainedWeightsError, RandPermCamError,
               CombinationError)


@contextmanager
def exit_on_user_error(*tool_errors: Type[BaseException]) -> Iterator[None]:
    """Turn :data:`USER_ERRORS` into ``error: <message>`` and exit code 1.

    Args:
        *tool_errors: Further error types of the tool's own domain (an
            unreadable query image, an unknown log key) to treat alike.

    Any other exception keeps its traceback: it may be a bug.
    """
    try:
        yield
    except USER_ERRORS + tool_errors as error:
        sys.exit(f'error: {one_line_message(error)}')


def one_line_message(error: BaseException) -> str:
    """The error's message; for one re-raised by a DataLoader worker (whose
    message is ``Caught <type> in DataLoader worker process N.`` and the
    worker's whole traceback), the original message, the traceback's last
    line without the type's name."""
    text = str(error).strip()
    if text.startswith('Caught ') and '\nOriginal Traceback' in text:
        last = text.splitlines()[-1]
        name, _, message = last.partition(': ')
        if message and name.split('.')[-1] == type(error).__name__:
            return message
        return last
    return text
