import asyncio

from aggregator.fetch.slots import LATER, URGENT, PrioritySlots


def test_waiters_are_served_by_priority_then_in_order_of_arrival():
    async def scenario() -> list[str]:
        slots = PrioritySlots(1)
        served: list[str] = []
        release = asyncio.Event()

        async def holder() -> None:
            async with slots.hold():
                await release.wait()

        async def waiter(name: str, priority: int) -> None:
            async with slots.hold(priority):
                served.append(name)

        first = asyncio.create_task(holder())
        await asyncio.sleep(0)
        tasks = [
            asyncio.create_task(waiter(name, priority))
            for name, priority in (
                ("robots-1", LATER),
                ("page-1", URGENT),
                ("robots-2", LATER),
                ("page-2", URGENT),
            )
        ]
        await asyncio.sleep(0)
        release.set()
        await asyncio.gather(first, *tasks)
        return served

    assert asyncio.run(scenario()) == ["page-1", "page-2", "robots-1", "robots-2"]


def test_no_more_holders_than_slots():
    async def scenario() -> int:
        slots = PrioritySlots(3)
        holding = most = 0

        async def work(n: int) -> None:
            nonlocal holding, most
            async with slots.hold(n % 2):
                holding += 1
                most = max(most, holding)
                await asyncio.sleep(0.001)
                holding -= 1

        await asyncio.gather(*(work(n) for n in range(40)))
        return most

    assert asyncio.run(scenario()) == 3


def test_a_cancelled_waiter_costs_no_slot():
    async def scenario() -> bool:
        slots = PrioritySlots(1)
        release = asyncio.Event()

        async def holder() -> None:
            async with slots.hold():
                await release.wait()

        async def waiter() -> None:
            async with slots.hold():
                pass

        first = asyncio.create_task(holder())
        await asyncio.sleep(0)
        cancelled = asyncio.create_task(waiter())
        await asyncio.sleep(0)
        cancelled.cancel()
        release.set()
        await first
        # both the slot of the holder and the one the cancelled waiter never used are back
        async with asyncio.timeout(1):
            await waiter()
        return cancelled.cancelled()

    assert asyncio.run(scenario())


def test_a_waiter_cancelled_as_it_is_granted_passes_the_slot_on():
    async def scenario() -> list[str]:
        slots = PrioritySlots(1)
        served: list[str] = []

        async def waiter(name: str) -> None:
            async with slots.hold():
                served.append(name)

        async with slots.hold():
            unlucky = asyncio.create_task(waiter("unlucky"))
            patient = asyncio.create_task(waiter("patient"))
            await asyncio.sleep(0)
        unlucky.cancel()  # granted by the release above, cancelled before it could run
        async with asyncio.timeout(1):
            await asyncio.gather(unlucky, patient, return_exceptions=True)
        return served

    assert asyncio.run(scenario()) == ["patient"]
