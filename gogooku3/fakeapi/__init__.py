"""A faithful fake of J-Quants API v2 with a deterministic synthetic market (offline default)."""

from .market import MarketConfig, SyntheticMarket

__all__ = ["MarketConfig", "SyntheticMarket"]
