"""Synthetic services for demos and benchmarks: `openipt synth --courses N`.

Not a Django app (it has no models): it writes the other areas' tables in bulk, with every
score scored and every summary column computed by the same rule functions the app uses.
"""
