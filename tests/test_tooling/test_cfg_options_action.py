"""``--cfg-options`` keeps the spaces of a single value."""
import argparse

import pytest

from mmreid_mmn.tooling import CfgOptionsAction


def parse(*options):
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction)
    return parser.parse_args(['--cfg-options', *options]).cfg_options


def test_a_path_keeps_its_spaces_and_lists_parse_as_mmengine_does():
    assert parse('data_root=/data/my sets/SYSU-MM01', "name='a b'",
                 'ids=[1, 2]', 'pair=(a, [b, c])', 'n=3', 'x=None',
                 'flag=true', 'csv=x,y') == {
        'data_root': '/data/my sets/SYSU-MM01', 'name': 'a b',
        'ids': [1, 2], 'pair': ('a', ['b', 'c']), 'n': 3, 'x': None,
        'flag': True, 'csv': ['x', 'y']}


def test_a_space_inside_a_list_element_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        parse('roots=[/my dir/a, /b]')
    assert info.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith(
        "--cfg-options value '[/my dir/a, /b]' holds a space inside a list "
        'element, which the option syntax cannot keep; set that key in a '
        'config file instead')
