"""Installs mmreid_mmn; requirements are read from requirements/*.txt."""
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent


def read_requirements(name: str) -> list:
    """Return the requirement lines of requirements/<name>.txt."""
    lines = (HERE / 'requirements' / f'{name}.txt').read_text().splitlines()
    return [line.strip() for line in lines
            if line.strip() and not line.startswith(('#', '-'))]


def read_version() -> str:
    namespace: dict = {}
    exec((HERE / 'mmreid_mmn' / 'version.py').read_text(), namespace)
    return namespace['__version__']


setup(
    name='mmreid_mmn',
    version=read_version(),
    description='Visible-infrared person re-identification with MMN '
    '(ACM MM 2021) on MMEngine',
    long_description=(HERE / 'README.md').read_text(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests')),
    python_requires='>=3.9',
    install_requires=read_requirements('runtime'),
    extras_require={
        'deploy': read_requirements('deploy'),
        'tests': read_requirements('tests'),
        'vis': read_requirements('vis'),
    },
    license='Apache License 2.0',
)
