"""Synthetic CRM worlds: seeded generators that plant a known truth.

>>> from crmlab import worlds
>>> w = worlds.make("transactions", seed=1, n_customers=500)
>>> list(w.tables["transactions"].columns)
['customer_id', 'date', 'amount']
>>> sorted(w.truth["bgnbd"])
['a', 'alpha', 'b', 'r']
"""
from ._core import DEFAULT_SEED, Column, Knob, Table, World, WorldSpec, available, make, register, spec

__all__ = ["DEFAULT_SEED", "make", "available", "spec", "World", "WorldSpec", "Knob", "Column", "Table", "register"]
