"""Reports: data out of the database, statistics from ``analysis``, a plain report model.

``sufficient`` defines the additive summaries, ``aggregates`` keeps them per agency
and month, ``extract`` reads raw rows, ``model`` is the report as plain dataclasses,
``build`` computes agency and city-wide reports and ``serialise`` writes JSON.
"""
