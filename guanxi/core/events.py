"""Domain events: news flows upward. A lower app publishes; higher apps subscribe.

Events are delivered after the publishing transaction commits, so a subscriber
never sees news of a write that was rolled back.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Base class of every domain event."""


E = TypeVar("E", bound=Event)
Handler = Callable[[Any], None]
_HANDLERS: dict[type[Event], list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E]) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    """Register a handler for an event type (used as a decorator in `handlers.py`)."""

    def register(fn: Callable[[E], None]) -> Callable[[E], None]:
        if fn not in _HANDLERS[event_type]:
            _HANDLERS[event_type].append(fn)
        return fn

    return register


def handlers_for(event_type: type[Event]) -> list[Handler]:
    return [h for t, hs in _HANDLERS.items() if issubclass(event_type, t) for h in hs]


def dispatch(event: Event) -> None:
    for handler in handlers_for(type(event)):
        handler(event)


def publish(event: Event) -> None:
    """Deliver the event to its subscribers once the current transaction commits."""
    transaction.on_commit(lambda: dispatch(event), robust=False)
