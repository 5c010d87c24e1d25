"""One event across outlets: stories found as articles are indexed, kept in the catalog, and shown.

features.py (what identifies an event) -> placing.py (online clustering, in date order) ->
table.py (the catalog's tables, placed after each index run) -> view.py (reading them) ->
words.py (how each outlet told one) -> render.py.
"""
