import pytest
from mmengine.registry import DefaultScope


@pytest.fixture(autouse=True)
def mmreid_mmn_scope():
    """Build every component in the ``mmreid_mmn`` scope, as configs do."""
    with DefaultScope.overwrite_default_scope('mmreid_mmn'):
        yield
