"""beans command line: parse options, call ``kernels``, render with rich, save with matplotlib.

Heavy imports (numba via ``kernels``, matplotlib) happen inside the commands that need them,
so ``beans --help`` and shell completion stay fast.
"""
