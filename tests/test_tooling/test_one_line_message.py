"""The one line a tool prints for a user error, also from a worker."""
from torch._utils import ExceptionWrapper

from mmreid_mmn.datasets.transforms import ImageReadError
from mmreid_mmn.tooling.tool_errors import one_line_message


def test_a_worker_error_keeps_only_its_own_message():
    try:
        raise ImageReadError("LoadRGBImage: cannot read 'a.jpg'")
    except ImageReadError:
        wrapped = ExceptionWrapper(where='in DataLoader worker process 1')
    try:
        wrapped.reraise()
    except ImageReadError as error:
        assert '\n' in str(error)  # what the DataLoader raises
        assert one_line_message(error) == "LoadRGBImage: cannot read 'a.jpg'"


def test_other_messages_are_kept_stripped():
    assert one_line_message(ValueError(' bad value \n')) == 'bad value'
