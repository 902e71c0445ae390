"""Jitter for every retry loop of the adapters, and the reseeding SnapStart needs.

SnapStart restores every container from one snapshot of the initialised process, the state of
Python's `random` included: delays drawn from it would be the same in every restored container,
and their retries after a throttle would arrive together again, as the throttle's cause did.
"""

from __future__ import annotations

import random

# os.urandom underneath: no state in the process that a snapshot could copy.
_entropy = random.SystemRandom()


def full_jitter(ceiling: float) -> float:
    """A delay between 0 and `ceiling` seconds ("full jitter")."""
    return _entropy.uniform(0, ceiling)


def reseed_random_after_restore() -> None:
    """botocore's own retries draw from the `random` module: reseed it (from os.urandom) in
    every container restored from a snapshot. The hook exists only in Lambda's runtime."""
    try:
        from snapshot_restore_py import register_after_restore  # type: ignore[import-not-found]
    except ImportError:
        return
    register_after_restore(random.seed)
