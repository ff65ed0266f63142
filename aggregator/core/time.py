"""The time zone coordinators read: every date they see is Berlin time."""

from __future__ import annotations

from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
