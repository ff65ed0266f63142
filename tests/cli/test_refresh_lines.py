"""The progress lines of `aggregator fetch`: plain for a log, styled for a terminal, the
same words either way."""

from __future__ import annotations

import io

from rich.console import Console

from aggregator.cli.refresh import _result_line
from aggregator.core.kinds import FoundBy, Status
from aggregator.core.model import FetchOutcome
from aggregator.pipeline.refresh import RefreshResult


def _rendered(markup: str) -> str:
    console = Console(file=io.StringIO(), width=400, color_system=None)
    console.print(markup, soft_wrap=True)
    return console.file.getvalue().rstrip("\n")  # type: ignore[attr-defined]


def test_plain_lines_say_what_the_terminal_shows() -> None:
    result = RefreshResult(
        "jc-spree-neisse",
        outcomes=[
            FetchOutcome("https://a.example/presse", Status.ERROR, "HTTP 503 [retry later]"),
            FetchOutcome(
                "https://a.example/liste",
                Status.OK,
                "heuristic: 12 items in main > ul > li",
                found_by=FoundBy.HEURISTIC,
            ),
        ],
        new=3,
        updated=1,
        notes=["preset [x] matched nothing"],
    )
    plain = _result_line(result, styled=False)
    assert plain == _rendered(_result_line(result))
    assert "[retry later]" in plain and "[x]" in plain  # markup-like text is kept, not eaten
    assert plain.splitlines()[0].endswith("jc-spree-neisse  +3 new, 1 updated")


def test_a_log_gets_one_row_per_source_with_its_problems():
    from aggregator.cli.refresh import _summary_row

    failed = RefreshResult(
        "jc-uckermark", outcomes=[FetchOutcome("https://u.example/rss", Status.ERROR, "HTTP 500")]
    )
    assert _summary_row(failed).split("\t") == [
        "jc-uckermark",
        "error",
        "0 new",
        "0 updated",
        "https://u.example/rss: HTTP 500",
    ]
    assert _summary_row(RefreshResult("jc-barnim", new=2)).split("\t")[-2:] == [
        "2 new",
        "0 updated",
    ]
