from .seeded_rngs import SeededIndex, seeded_global_rngs
from .setup_env import register_all_modules

__all__ = ['register_all_modules', 'SeededIndex', 'seeded_global_rngs']
