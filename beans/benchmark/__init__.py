"""The harness behind ``beans bench``: the engine names (``engines``, no numba), the timing
(``timing``) and the C reference (``c_reference`` building ``sgd_c.c``)."""
