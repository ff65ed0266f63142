"""The peer for the feed benchmark: lemon24/reader reading the same feeds, in a process of
its own. Prints one JSON document with the entries it stored.

Run: python -m bench.peer --db reader.sqlite --urls feeds.txt --workers 16
(reader is installed for the benchmark only: `pip install -e '.[bench]'`)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from reader import make_reader


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--urls", type=Path, required=True, help="one feed URL per line")
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()
    reader = make_reader(str(args.db), session_timeout=(5, 5))
    for url in args.urls.read_text(encoding="utf-8").split():
        reader.add_feed(url, exist_ok=True)
    reader.update_feeds(workers=args.workers)
    print(json.dumps({"entries": reader.get_entry_counts().total}))
    reader.close()


if __name__ == "__main__":
    main()
