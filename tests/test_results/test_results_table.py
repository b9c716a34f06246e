"""The paper-layout results table, on hand-written metrics and summaries."""
from mmreid_mmn.results import (MISSING, PAPER_GROUPS, ColumnGroup, Result,
                            format_csv, format_markdown, headline_groups,
                            result_from_record, table_rows)


def numbers(stem: str, rank1: float) -> dict:
    """The five table columns of ``stem``, rank-1 given, the rest fixed."""
    return {f'{stem}_rank1': rank1, f'{stem}_rank10': 90.0,
            f'{stem}_rank20': 95.0, f'{stem}_mAP': 60.0,
            f'{stem}_mINP': 40.0}


def sysu_record(mode: str, num_shots: int, rank1: float) -> dict:
    """A metrics.json of a SYSU-MM01 test."""
    metrics = numbers('sysu/ir2vis', rank1)
    metrics['sysu/ir2vis_standard_rank1'] = 1.0
    return dict(config='c.py', checkpoint='b.pth', metrics=metrics,
                protocol={'sysu': dict(type='SYSUMM01Metric', mode=mode,
                                       num_shots=num_shots)})


def cells(row: list) -> list:
    return row[1:]


def test_sysu_protocols_fill_their_own_groups():
    results = [
        result_from_record('all_single', sysu_record('all', 1, 70.0)),
        result_from_record('all_multi', sysu_record('all', 10, 75.0)),
        result_from_record('indoor_single', sysu_record('indoor', 1, 76.0)),
    ]
    rows = table_rows(results)
    assert rows[0] == [
        '', 'SYSU-MM01 all-search single-shot', '', '', '', '',
        'SYSU-MM01 all-search multi-shot', '', '', '', '',
        'SYSU-MM01 indoor-search single-shot', '', '', '', '']
    assert rows[1] == ['Method'] + ['R-1', 'R-10', 'R-20', 'mAP', 'mINP'] * 3
    fixed = ['90.00', '95.00', '60.00', '40.00']
    none = [MISSING] * 5
    assert rows[2] == ['all_single', '70.00', *fixed, *none, *none]
    assert rows[3] == ['all_multi', *none, '75.00', *fixed, *none]
    assert rows[4] == ['indoor_single', *none, *none, '76.00', *fixed]


def test_summaries_give_mean_and_std_and_missing_cells_are_dashes():
    summary = dict(
        mean={**numbers('regdb/vis2ir', 91.5), **numbers('regdb/ir2vis', 90)},
        std={'regdb/vis2ir_rank1': 1.25, 'regdb/ir2vis_rank1': 0.5},
        protocol={'regdb': dict(type='RegDBMetric')})
    llcm = dict(metrics={'llcm/ir2vis_rank1': 52.0, 'llcm/ir2vis_mAP': 58.1},
                protocol={})
    results = [result_from_record('mmn_regdb', summary),
               result_from_record('mmn_llcm', llcm)]
    rows = table_rows(results)
    assert [title for title in rows[0] if title] == [
        'RegDB visible-to-thermal', 'RegDB thermal-to-visible',
        'LLCM infrared-to-visible']
    assert cells(rows[2])[:6] == ['91.50 ± 1.25', '90.00', '95.00', '60.00',
                                  '40.00', '90.00 ± 0.50']
    assert cells(rows[2])[10:] == [MISSING] * 5
    assert cells(rows[3]) == [MISSING] * 10 + [
        '52.00', MISSING, MISSING, '58.10', MISSING]


def test_results_of_no_known_protocol_fit_no_group():
    unknown_shots = sysu_record('all', 5, 70.0)
    no_protocol = dict(metrics=numbers('sysu/ir2vis', 70.0))
    results = [result_from_record('five_shots', unknown_shots),
               result_from_record('unknown', no_protocol)]
    assert table_rows(results) == [[''], ['Method'], ['five_shots'],
                                   ['unknown']]


def test_headline_groups_follow_key_order_without_variants():
    metrics = {'regdb/vis2ir_rank1': 1.0, 'regdb/vis2ir_standard_rank1': 1.0,
               'regdb/vis2ir_sum_rank1': 1.0, 'regdb/ir2vis_rank1': 1.0,
               'regdb/ir2vis_mAP': 1.0}
    assert headline_groups(metrics) == [
        ColumnGroup('regdb/vis2ir', 'regdb/vis2ir'),
        ColumnGroup('regdb/ir2vis', 'regdb/ir2vis')]
    rows = table_rows([Result('run', metrics)], headline_groups(metrics),
                      'Run')
    assert rows[1][0] == 'Run'
    assert rows[2] == ['run', '1.00', MISSING, MISSING, MISSING, MISSING,
                       '1.00', MISSING, MISSING, '1.00', MISSING]


def test_markdown_and_csv():
    rows = [['', 'G', ''], ['Method', 'a', 'b'], ['x', '1.00 ± 0.50', '-']]
    assert format_markdown(rows) == ('|  | G |  |\n|---|---|---|\n'
                                     '| Method | a | b |\n'
                                     '| x | 1.00 ± 0.50 | - |\n')
    assert format_csv(rows) == ',G,\nMethod,a,b\nx,1.00 ± 0.50,-\n'


def test_paper_groups_are_in_the_papers_order():
    assert [group.stem for group in PAPER_GROUPS] == [
        'sysu/ir2vis'] * 4 + ['regdb/vis2ir', 'regdb/ir2vis', 'llcm/vis2ir',
                              'llcm/ir2vis']
