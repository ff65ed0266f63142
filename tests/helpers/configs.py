"""A valid sources.yaml as the README documents it, and the problems a text has."""

from __future__ import annotations

import pytest

from aggregator.config.loader import parse_config
from aggregator.errors import ConfigError

VALID = """\
version: 1
defaults:
  interval: 30m
  timeout: 20s
campaigns:
  - id: aktionswoche-2019
    title: "Aktionswoche der kommunalen Jobcenter 2019"
    window: {start: 2019-08-19, end: 2019-09-06}
    match:
      any: ["Aktionswoche", "Stark. Sozial. Vor Ort"]
      none: ["Aktionswoche Alkohol"]
sources:
  - id: spree-neisse
    name: "Jobcenter Spree-Neiße"
    publisher: "Landkreis Spree-Neiße – Pressestelle"
    land: BB
    kind: landkreis
    homepage: https://www.example-lk.de/
    feeds: [https://www.example-lk.de/presse/rss.xml]
    pages:
      - url: https://www.example-lk.de/presse/
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "sources.yaml")
    return [str(p) for p in caught.value.problems]
