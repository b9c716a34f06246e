"""tools/visualization/vis_activation.py with a tiny MMN checkpoint."""
import pytest
from PIL import Image

from tool_runs import TINY_CONFIG, write_checkpoint

from mmreid_mmn.visualization.panel_rows import GAP, LABEL_HEIGHT


@pytest.mark.parametrize('method', ['actmap', 'gradcam'])
def test_maps_of_the_image_and_of_its_middle_image(method, sysu_root,
                                                   tmp_path, load_tool):
    checkpoint = tmp_path / 'tiny.pth'
    write_checkpoint(checkpoint, seed=0)
    tool = load_tool('tools/visualization/vis_activation.py')
    out = tmp_path / 'act.png'
    args = [str(TINY_CONFIG), str(checkpoint), '--visible',
            str(sysu_root / 'cam1' / '0013' / '0001.jpg'), '--infrared',
            str(sysu_root / 'cam3' / '0013' / '0001.jpg'), '--out', str(out),
            '--method', method]
    tool.main(args)
    # 64 x 32 inputs magnified 4 times; columns: input, the image's map,
    # the middle image's map (MMN); a row per image
    height, width = 4 * 64, 4 * 32
    assert Image.open(out).size == (3 * (width + GAP) + GAP,
                                    LABEL_HEIGHT + 2 * (LABEL_HEIGHT + height)
                                    + GAP)


def test_no_image_is_a_usage_error(tmp_path, load_tool):
    tool = load_tool('tools/visualization/vis_activation.py')
    with pytest.raises(SystemExit) as exit_info:
        tool.main([str(TINY_CONFIG), 'x.pth', '--out',
                   str(tmp_path / 'a.png')])
    assert exit_info.value.code == 2
