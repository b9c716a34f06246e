"""``--cfg-options`` parsing that keeps the spaces of a path."""
import argparse
import re
from typing import Any

from mmengine.config import DictAction

# spaces next to a list's commas and brackets separate nothing
SPACES_AROUND_SEPARATORS = re.compile(r'\s*([,\[\]()])\s*')


class CfgOptionsAction(DictAction):
    """MMEngine's ``DictAction``, but a single value keeps its spaces.

    MMEngine removes every space of a value, so
    ``data_root="/data/my sets/SYSU-MM01"`` silently became
    ``/data/mysets/SYSU-MM01``. Here a value without commas or brackets is
    kept as given (its quotes stripped); in a list or tuple the spaces next
    to commas and brackets go as before, and any other space, which
    MMEngine's syntax cannot keep, is refused as a usage error.
    """

    @staticmethod
    def _parse_iterable(val: str) -> Any:
        text = val.strip().strip('\'"')
        if not re.search(r'[,\[\]()]', text):
            return DictAction._parse_int_float_bool(text)
        if ' ' in SPACES_AROUND_SEPARATORS.sub(r'\1', text):
            raise argparse.ArgumentTypeError(
                f'--cfg-options value {val!r} holds a space inside a list '
                'element, which the option syntax cannot keep; set that key '
                'in a config file instead')
        return DictAction._parse_iterable(text)

    def __call__(self, parser, namespace, values, option_string=None):
        try:
            super().__call__(parser, namespace, values, option_string)
        except argparse.ArgumentTypeError as error:
            if parser is None:
                raise
            parser.error(str(error))
