"""The `simulator` cloud: every driver operation against rows in the portal's database.

Used by the demo and by the portal's fast unit tests. State lives in the database so that
web, worker and beat processes share one simulated cloud; slow operations are emulated by
pending transitions that are applied lazily when the object is next read (state.py).
"""
