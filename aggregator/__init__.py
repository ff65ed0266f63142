"""Feed aggregator for the campaign of Germany's kommunale Jobcenter.

The supported API is `__all__`; its names are imported when first used, so that
`import aggregator` (which spawned worker processes do again) stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# name -> the module that defines it
_API = {
    "load_config": "aggregator.config.loader",
    "parse_config": "aggregator.config.loader",
    "Config": "aggregator.config.schema",
    "Source": "aggregator.config.schema",
    "Campaign": "aggregator.config.schema",
    "PageTarget": "aggregator.config.schema",
    "Entry": "aggregator.core.model",
    "Item": "aggregator.core.model",
    "StoredItem": "aggregator.core.model",
    "Failure": "aggregator.core.kinds",
    "FoundBy": "aggregator.core.kinds",
    "Status": "aggregator.core.kinds",
    "AggregatorError": "aggregator.errors",
    "ConfigError": "aggregator.errors",
    "FetchError": "aggregator.errors",
    "ParseError": "aggregator.errors",
    "StorageError": "aggregator.errors",
    "WorkerError": "aggregator.errors",
    "Fetcher": "aggregator.fetch.client",
    "refresh_source": "aggregator.pipeline.refresh",
    "refresh_all": "aggregator.pipeline.refresh",
    "Store": "aggregator.store.database",
    "render_feed": "aggregator.publish.atom",
    "create_app": "aggregator.web.app",
}
__all__ = [
    "AggregatorError",
    "Campaign",
    "Config",
    "ConfigError",
    "Entry",
    "Failure",
    "FetchError",
    "Fetcher",
    "FoundBy",
    "Item",
    "PageTarget",
    "ParseError",
    "Source",
    "Status",
    "StorageError",
    "Store",
    "StoredItem",
    "WorkerError",
    "__version__",
    "create_app",
    "load_config",
    "parse_config",
    "refresh_all",
    "refresh_source",
    "render_feed",
]

if TYPE_CHECKING:
    from aggregator.config.loader import load_config, parse_config
    from aggregator.config.schema import Campaign, Config, PageTarget, Source
    from aggregator.core.kinds import Failure, FoundBy, Status
    from aggregator.core.model import Entry, Item, StoredItem
    from aggregator.errors import (
        AggregatorError,
        ConfigError,
        FetchError,
        ParseError,
        StorageError,
        WorkerError,
    )
    from aggregator.fetch.client import Fetcher
    from aggregator.pipeline.refresh import refresh_all, refresh_source
    from aggregator.publish.atom import render_feed
    from aggregator.store.database import Store
    from aggregator.web.app import create_app


def __getattr__(name: str) -> object:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'aggregator' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
