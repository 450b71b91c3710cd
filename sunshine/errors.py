"""Domain errors raised by actions; views show their message (in Chinese) to the user."""


class ActionError(Exception):
    """An action refused for a reason the user can act on (bad or conflicting input)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
