"""The offload edge: worker processes that parse beside the event loop, and what happens
when one of them dies."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import pytest

from aggregator.classify.judge import CLASSIFIER
from aggregator.config.schema import Defaults
from aggregator.errors import WorkerError
from aggregator.worker.pool import Offload, default_workers, offload_for


def _pid() -> int:
    return os.getpid()


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _double(value: int, *, plus: int = 0) -> int:
    return 2 * value + plus


def test_inline_runs_in_this_process():
    with Offload(0) as offload:
        assert asyncio.run(offload.run(_pid)) == os.getpid()


def test_workers_run_in_another_process_with_arguments_and_keywords():
    async def scenario(offload: Offload) -> tuple[int, int]:
        return await offload.run(_pid), await offload.run(_double, 20, plus=2)

    with Offload(1) as offload:
        pid, result = asyncio.run(scenario(offload))
    assert pid != os.getpid() and result == 42


def test_ctrl_c_is_left_to_the_parent():
    async def scenario(offload: Offload) -> tuple[int, int]:
        worker = await offload.run(_pid)
        os.kill(worker, signal.SIGINT)
        await asyncio.sleep(0.2)
        return worker, await offload.run(_pid)

    with Offload(1) as offload:
        before, after = asyncio.run(scenario(offload))
    assert before == after  # the same worker, alive


def test_a_dead_worker_costs_one_document_and_the_pool_recovers():
    async def scenario(offload: Offload) -> int:
        with pytest.raises(WorkerError, match="worker process"):
            await offload.run(_die)
        return await offload.run(_double, 21)

    with Offload(1) as offload:
        assert asyncio.run(scenario(offload)) == 42


def test_documents_in_flight_when_a_worker_dies_are_read_all_the_same():
    async def scenario(offload: Offload) -> list[object]:
        calls = [offload.run(_die), *(offload.run(_double, n) for n in range(5))]
        return await asyncio.gather(*calls, return_exceptions=True)

    with Offload(1) as offload:
        killer, *others = asyncio.run(scenario(offload))
    assert isinstance(killer, WorkerError)
    assert others == [0, 2, 4, 6, 8]


def _fail_to_start() -> None:
    raise RuntimeError("no workers here")


def test_workers_that_cannot_start_leave_the_reading_to_this_process():
    async def scenario(offload: Offload) -> list[int]:
        return [await offload.run(_double, n) for n in range(4)]

    with Offload(1, initializer=_fail_to_start) as offload:
        assert asyncio.run(scenario(offload)) == [0, 2, 4, 6]
        assert offload.inline


def test_the_setting_chooses_the_number_of_workers():
    assert offload_for(Defaults(workers=0)).workers == 0
    automatic = offload_for(Defaults())
    assert automatic.workers == default_workers() == max(0, (os.cpu_count() or 1) - 1)
    automatic.close()


def test_the_main_module_that_workers_import_again_is_lean():
    """Spawned workers import the `aggregator` command's module again; it must not pull in
    the whole application (HTTP client, web server, command line) with it."""
    code = (
        "import sys, aggregator.__main__; "
        "print(sorted({'aggregator.cli', 'httpx'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


class _DeadWorkers:
    """An offload whose worker process dies on every document (a stand-in for the pool)."""

    inline = False

    async def run(self, function, *args, **kwargs):
        raise WorkerError("the worker process reading this document died, twice")


def test_a_document_whose_worker_died_is_recorded_as_a_worker_error(site, write_config, tmp_path):
    """A dead worker says nothing about the document: not a ParseError."""
    from aggregator.config.loader import load_config
    from aggregator.fetch.client import Fetcher
    from aggregator.pipeline.refresh import refresh_source
    from aggregator.store.database import Store
    from tests.listing_expectations import SPREE_NEISSE_PAGE

    text = (
        "version: 1\ndefaults: {host_delay: 0s}\nsources:\n"
        f"  - {{id: tot, name: Landkreis Tot, land: BB, kind: landkreis, "
        f"pages: [{{url: '{site.url(SPREE_NEISSE_PAGE)}'}}]}}\n"  # small feeds are read inline
    )
    config = load_config(write_config(text))
    store = Store(tmp_path / "dead.db", CLASSIFIER)

    async def refresh() -> None:
        async with Fetcher(config.defaults) as fetcher:
            await refresh_source(config.sources[0], config, fetcher, store, offload=_DeadWorkers())

    asyncio.run(refresh())
    [state] = store.fetch_states("tot")
    assert (state.last_status, state.last_error_kind) == ("error", "WorkerError")
    assert "died" in (state.last_error or "")
    store.close()


class _Recording:
    """Runs each function here and notes its name (a stand-in for the pool)."""

    inline = False

    def __init__(self) -> None:
        self.names: list[str] = []

    async def run(self, function, *args, **kwargs):
        self.names.append(function.__name__)
        return function(*args, **kwargs)


@pytest.mark.parametrize("entries", [5, 1500])
def test_small_feeds_are_read_here_and_large_ones_by_a_worker(
    site, write_config, tmp_path, entries
):
    """A feed up to INLINE_FEED_BYTES is read in the event loop's process (a worker's
    round trip cost as much); a larger one would hold up the loop and goes to a worker."""
    from aggregator.config.loader import load_config
    from aggregator.fetch.client import Fetcher
    from aggregator.pipeline.crawl import INLINE_FEED_BYTES
    from aggregator.pipeline.refresh import refresh_source
    from aggregator.store.database import Store
    from tests.siteserver import Route

    items = "".join(
        f"<item><title>Meldung {n} aus dem Jobcenter</title><link>https://kreis.example/{n}"
        f"</link><description>{'Ein Satz über die Aktionswoche. ' * 6}</description></item>"
        for n in range(entries)
    )
    body = f"<rss version='2.0'><channel><title>Kreis</title>{items}</channel></rss>".encode()
    assert (len(body) > INLINE_FEED_BYTES) == (entries > 5)
    site.routes["/kreis/rss.xml"] = Route(
        body=body, headers={"Content-Type": "application/rss+xml"}
    )
    text = (
        "version: 1\ndefaults: {host_delay: 0s}\nsources:\n"
        f"  - {{id: kreis, name: Landkreis Kreis, land: BB, kind: landkreis, "
        f"feeds: ['{site.url('kreis/rss.xml')}']}}\n"
    )
    config = load_config(write_config(text))
    store = Store(tmp_path / "sizes.db", CLASSIFIER)
    recording = _Recording()

    async def refresh() -> int:
        async with Fetcher(config.defaults) as fetcher:
            done = await refresh_source(
                config.sources[0], config, fetcher, store, offload=recording
            )
            return done.new

    assert asyncio.run(refresh()) == entries
    offloaded = "read_feed_document" in recording.names
    assert offloaded == (entries > 5)
    store.close()
