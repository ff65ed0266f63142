"""The listing heuristic on its own (parse.heuristic.find_item_blocks): which blocks of a
page are its press items, their shape, and how sure the guess is."""

from __future__ import annotations

from bs4 import BeautifulSoup

from aggregator.core.kinds import Confidence
from aggregator.parse.heuristic import find_item_blocks

MENU = "".join(f"<li><a href='/m{n}'>Menüpunkt {n}</a></li>" for n in range(8))


def _page(main: str) -> BeautifulSoup:
    return BeautifulSoup(
        f"<html><body><nav><ul>{MENU}</ul></nav><main>{main}</main>"
        "<footer><a href='/impressum'>Impressum</a></footer></body></html>",
        "lxml",
    )


def _dated(count: int) -> str:
    return (
        "<ul class='presse'>"
        + "".join(
            f"<li><span>{10 + n}.08.2019</span> <a href='/pm/{n}'>Jobcenter lädt zur "
            f"Veranstaltung Nummer {n} ein</a></li>"
            for n in range(count)
        )
        + "</ul>"
    )


def test_dated_press_items_are_found_surely_and_the_menu_is_not() -> None:
    guess = find_item_blocks(_page(_dated(6)))
    assert len(guess.blocks) == 6 and guess.confidence == Confidence.SURE
    assert guess.shape is not None and "ul.presse" in guess.shape[0]
    assert all("Menüpunkt" not in block.get_text() for block in guess.blocks)


def test_a_later_page_with_one_item_is_read_by_the_shape_of_the_first() -> None:
    first = find_item_blocks(_page(_dated(6)))
    last = find_item_blocks(_page(_dated(1)), shape=first.shape)
    assert len(last.blocks) == 1 and last.shape == first.shape


def test_two_lists_alike_make_a_weak_guess_with_a_rival() -> None:
    other = _dated(6).replace("presse", "termine").replace("/pm/", "/termin/")
    guess = find_item_blocks(_page(_dated(6) + other))
    assert guess.confidence == Confidence.WEAK and guess.rival is not None
    assert "pin selectors" in guess.describe()


def test_a_page_without_a_list_yields_nothing() -> None:
    guess = find_item_blocks(_page("<p>Ein Absatz ohne Liste, nur Text über das Jobcenter.</p>"))
    assert guess.blocks == [] and guess.shape is None
