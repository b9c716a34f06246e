"""Registration of every mmreid_mmn component and the default scope."""
import importlib

from mmengine.registry import init_default_scope as set_default_scope

from mmreid_mmn.registry import SCOPE

COMPONENT_PACKAGES = ('mmreid_mmn.datasets', 'mmreid_mmn.engine',
                      'mmreid_mmn.evaluation', 'mmreid_mmn.models')


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every component package so that its classes are registered.

    Args:
        init_default_scope: Also make ``mmreid_mmn`` the current default
            scope, so that configs without ``default_scope`` still build our
            components first. Defaults to True.
    """
    for package in COMPONENT_PACKAGES:
        importlib.import_module(package)
    if init_default_scope:
        set_default_scope(SCOPE)
