"""The beans commands: parse options, build a config, call the library, render and save.

Heavy imports (numba through ``beans.kernels``, rich, matplotlib) happen inside the commands
that need them, so ``beans --help`` and shell completion stay fast.
"""
