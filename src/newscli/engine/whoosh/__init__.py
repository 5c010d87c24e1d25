"""The Whoosh backend: the only code in newscli that imports Whoosh.

One concern a module, as Whoosh keeps its own: `startup` (loading Whoosh quickly,
and a repair), `schema` (fields, and Article <-> document), `writing` (batches,
helper processes, merge policy), `compile` (a request as a query), `snippets`,
`damage` (telling a damaged index from other failures) and `searching` (the
engine itself).
"""

from newscli.engine.whoosh.searching import WhooshEngine

__all__ = ["WhooshEngine"]
