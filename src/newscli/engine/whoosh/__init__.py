"""The Whoosh backend: the only code in newscli that imports Whoosh.

One concern a module, as Whoosh keeps its own: `schema` (fields, and Article <->
document), `writing` (batches, merge policy), `compile` (a request as a query),
`filtering`, `ordering`, `browsing`, `collecting`, `feedback`, `spelling`,
`snippets`, `storage`, `damage` (telling a damaged index from other failures) and
`searching` (the engine itself), all on Whoosh's public API; and `internals`, the
one package that reads Whoosh's private corners for speed, guarded by the Whoosh
versions it was verified with, beside which the rest runs plain.
"""

from newscli.engine.whoosh.searching import WhooshEngine

__all__ = ["WhooshEngine"]
