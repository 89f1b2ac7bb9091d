"""Periodic jobs: a small registry, run by each server process (default) or once by an external scheduler.

Add a job with one line at the bottom of this module: `register("name", every_seconds, function)`, where the
function takes the app's config and returns a short summary. Jobs must be safe to run in several processes at once
(each server runs them): write them as idempotent statements.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..models.types import utcnow
from . import idempotency, realtime, registration, throttle
from .payments import core as payments_core

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A named periodic job."""

    name: str
    every_seconds: float
    run: Callable[[Mapping], str]
    every_key: str | None = None  # a config key that overrides every_seconds

    def interval(self, config: Mapping) -> float:
        """Return the seconds between two runs in a server process."""
        return float(config.get(self.every_key, self.every_seconds)) if self.every_key else self.every_seconds


JOBS: dict[str, Job] = {}


def register(name: str, every_seconds: float, run: Callable[[Mapping], str], every_key: str | None = None) -> Job:
    """Add a job to the registry."""
    job = JOBS[name] = Job(name, every_seconds, run, every_key)
    return job


def run_once(app, names: list[str] | None = None) -> dict[str, str]:
    """Run every job (or the named ones) now, each in its own app context; return name → summary or failure."""
    results: dict[str, str] = {}
    for job in JOBS.values():
        if names and job.name not in names:
            continue
        with app.app_context():
            try:
                results[job.name] = job.run(app.config)
            except Exception as exc:
                log.warning("job %s failed (%s)", job.name, type(exc).__name__)
                results[job.name] = f"failed ({type(exc).__name__})"
    return results


def loop(app, sleep: Callable[[float], None]) -> None:
    """Run each job every `every_seconds` (first run after a random part of it, so processes spread out)."""
    every = {name: job.interval(app.config) for name, job in JOBS.items()}
    due = {name: time.monotonic() + random.uniform(1, max(1.0, seconds / 10)) for name, seconds in every.items()}
    while True:
        now = time.monotonic()
        for name, when in due.items():
            if now >= when:
                run_once(app, [name])
                due[name] = now + every[name]
        sleep(1.0)


def prune_changelog(config: Mapping) -> str:
    """Delete emitted ChangeLog rows older than CHANGELOG_RETENTION_DAYS."""
    deleted = realtime.prune(float(config.get("CHANGELOG_RETENTION_DAYS", 7)))
    return f"{deleted} ChangeLog rows deleted"


def expire_pending_registrations(config: Mapping) -> str:
    """Fail the registration payments left unpaid for 24 hours (the email may register again); prune counts."""
    now = utcnow()
    references = registration.expired_registrations(now)
    for reference in references:  # each its own compare-and-set: a payment completed meanwhile is left alone
        payments_core.fail_payment(
            reference, reason=f"expired: not paid within {registration.PENDING_HOURS} hours", now=now
        )
    pruned = throttle.prune("registration", 2 * float(config.get("REGISTRATION_WINDOW_SECONDS", 60)), now)
    return f"{len(references)} pending registrations expired, {pruned} throttle counts pruned"


register("prune-changelog", 3600, prune_changelog, every_key="CHANGELOG_PRUNE_EVERY_SECONDS")
register(
    "expire-pending-registrations", 600, expire_pending_registrations, every_key="REGISTRATION_EXPIRE_EVERY_SECONDS"
)
register("prune-idempotency-keys", 3600, lambda config: f"{idempotency.prune()} idempotency keys deleted")


def expire_pending_payments(config: Mapping) -> str:
    """Mark gateway payments still PENDING after 24 hours ABANDONED (a later verified success still credits)."""
    return f"{payments_core.expire_pending_payments()} pending payments marked abandoned"


register("expire-pending-payments", 900, expire_pending_payments)
