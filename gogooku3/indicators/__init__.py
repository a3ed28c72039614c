"""The extended indicators' kernels (ATR, ±DI, ADX, Parabolic SAR, Stochastic) that the dbt Python
model ``int_features__extended`` calls: TA-Lib-exact, compiled by numba."""
