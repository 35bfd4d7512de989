"""Reading exports: readers, canonical schema, normalisation, data quality.

Everything here turns files into canonical frames and counts what could not be used; nothing
here knows about KPIs, windows of a report or output formats. (`cskpi.load(...)`, the public
loading function, is this package made callable by `cskpi/__init__.py`.)
"""
