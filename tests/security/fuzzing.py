"""Hypothesis settings the fuzzers share: a bounded number of examples, no deadline (requests
vary with the machine's load), the same examples on every run."""

from hypothesis import HealthCheck, settings


def bounded(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
