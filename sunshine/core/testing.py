"""For tests of double submissions: calls released at the same instant, each in its own thread
and therefore on its own database connection."""

import threading
from collections.abc import Callable

from django.db import close_old_connections

from sunshine.errors import ActionError


def together(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls at once (a barrier releases them); each one's result, or the exception it
    raised, in the order they finished."""
    barrier, results, lock = threading.Barrier(len(calls)), [], threading.Lock()

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            result = call()
        except BaseException as error:  # noqa: BLE001 -- handed to the test to judge
            result = error
        finally:
            close_old_connections()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def race(*calls: Callable[[], object]) -> list[str]:
    """`together`, as sorted outcomes: "ok", or the message of the action's refusal."""
    outcomes = []
    for result in together(list(calls)):
        if isinstance(result, ActionError):
            outcomes.append(result.message)
        elif isinstance(result, BaseException):
            raise result
        else:
            outcomes.append("ok")
    return sorted(outcomes)
