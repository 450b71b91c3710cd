"""Domain errors raised by actions; views show their message (in Chinese) to the user."""

from collections.abc import Callable
from typing import Any


class ActionError(Exception):
    """An action refused for a reason the user can act on (bad or conflicting input)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def show_on(self, form: Any) -> None:
        """The refusal beside the field it names, or above the form when the form has no such
        field, so that the page comes back with what was typed."""
        form.add_error(self.field if self.field in form.fields else None, self.message)


def run_form[T](form: Any, action: Callable[[dict[str, Any]], T]) -> T | None:
    """Validate the form and run the action with its data: what the action returns, or None
    with the refusal on the form, for the page to be shown again as typed."""
    if not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except ActionError as error:
        error.show_on(form)
        return None
