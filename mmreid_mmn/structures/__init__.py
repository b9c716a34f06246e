from .reid_data_sample import (INFRARED, MODALITIES, ROLES, VISIBLE,
                               ReIDDataSample)

__all__ = ['ReIDDataSample', 'VISIBLE', 'INFRARED', 'MODALITIES', 'ROLES']
