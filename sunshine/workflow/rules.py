from typing import Any

from sunshine.org.permissions import has_role, is_supervisor, rule

from .models import Task


def may_act(user: Any, task: Task) -> bool:
    """The named officer if the task was handed to one (转办, 加签), else the step's role in the
    step's department."""
    if task.assignee_id:
        return task.assignee_id == user.pk
    return has_role(user, task.role, task.department)


@rule("workflow.act")
def _act(user: Any, task: Task) -> bool:
    return task is not None and may_act(user, task)


@rule("workflow.view_task")
def _view(user: Any, task: Task) -> bool:
    return task is not None and (
        may_act(user, task) or task.acted_by_id == user.pk or is_supervisor(user)
    )
