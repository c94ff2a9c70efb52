"""The law as dated data: parameters, country groups and overlays, resolved for a date."""

from computegate.regime.loader import RegimeData, default_regime_data, load_regime_data
from computegate.regime.regime import GroupAnswer, ParamValue, Regime, cite

__all__ = [
    "GroupAnswer",
    "ParamValue",
    "Regime",
    "RegimeData",
    "cite",
    "default_regime_data",
    "load_regime_data",
]
