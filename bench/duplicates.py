"""How many republished stories an index holds, with a sample to check by eye.

    python bench/duplicates.py --index-dir DIR [--sample 8]

Reads the index newscli built (see `newscli index`); changes nothing.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

from newscli.engine import backend


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=8)
    args = parser.parse_args()
    engine = backend("whoosh").open(str(args.index_dir))
    stories = engine.stories()
    sizes = Counter(len(members) for members in stories.values())
    copies = sum(n * (size - 1) for size, n in sizes.items())
    print(
        f"{engine.count():,} articles; {len(stories):,} stories with more than one copy, "
        f"holding {copies + len(stories):,} articles ({copies:,} of them folded into another)"
    )
    print("copies per story:", ", ".join(f"{size}: {n}" for size, n in sorted(sizes.items())))
    cross = sum(1 for members in stories.values() if len({a.source for a in members}) > 1)
    print(f"stories run by more than one outlet: {cross:,}")
    random.seed(0)
    for story in random.sample(sorted(stories), min(args.sample, len(stories))):
        print()
        for a in stories[story]:
            print(f"  {a.id}  {a.source or '?':<24.24}  {a.date or 'undated':<10.10}  {a.title[:70]}")


if __name__ == "__main__":
    main()
