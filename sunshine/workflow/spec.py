"""Process definitions as data: parsing, validation and declarative conditions (never `eval`).

A definition's `spec` is JSON edited in the admin:

    {"steps": [
      {"key": "accept", "name": "受理", "role": "window", "department": "SLS-SWJ-BGS",
       "limit": 5, "intake": true, "actions": ["approve", "reject", "return_applicant"]},
      {"key": "joint", "name": "联合审查", "limit": 5, "join": "all",
       "branches": [{"key": "a", "name": "…", "role": "reviewer", "department": "…"}, …]},
      {"key": "hearing", "name": "…", "role": "…", "department": "…", "limit": 3,
       "when": {"field": "scale", "op": "eq", "value": "large"}},
      {"key": "decide", "name": "制作决定书", "role": "handler", "department": "…", "limit": 2,
       "decides": true},
      {"key": "deliver", "name": "送达", "role": "window", "department": "…", "limit": 2},
    ]}

A step with `branches` is a parallel step (并联审批): one task per branch, joined by `join`
("all": every branch must approve and one veto rejects the case, 一票否决; "any": one approval
carries it and the case is rejected only if every branch refuses). Limits are working days
(《行政许可法》第八十二条); the intake step (受理, 第三十二条) runs before the decision period and
does not count towards the committed limit.

The approval of the step marked `decides` makes the decision (《行政许可法》第三十八条): the
decision period (第四十二条) ends there, not at the 送达 that follows (第四十四条). At most one
step decides, a single lane (a joint review gives opinions, one office decides); without one the
decision is made when the process ends.
"""

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from sunshine.org.models import Role

APPROVE = "approve"
RETURN_PREVIOUS = "return_previous"
RETURN_ANY = "return_any"
RETURN_APPLICANT = "return_applicant"
REJECT = "reject"
ADD_SIGNER = "add_signer"
TRANSFER = "transfer"
VERBS = (APPROVE, RETURN_PREVIOUS, RETURN_ANY, RETURN_APPLICANT, REJECT, ADD_SIGNER, TRANSFER)
DEFAULT_ACTIONS = (APPROVE, RETURN_PREVIOUS, RETURN_ANY, REJECT, ADD_SIGNER, TRANSFER)
JOINS = ("all", "any")
OPS = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "present")


class SpecError(ValueError):
    """A definition that cannot run; the message (Chinese) says what to fix."""


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any = None

    def holds(self, data: dict[str, Any]) -> bool:
        actual = data.get(self.field)
        if self.op == "present":
            return actual not in (None, "", [])
        if self.op == "eq":
            return actual == self.value
        if self.op == "ne":
            return actual != self.value
        if self.op == "in":
            return actual in self.value
        if self.op == "not_in":
            return actual not in self.value
        try:
            a, b = float(actual), float(self.value)
        except (TypeError, ValueError):
            return False
        return {"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[self.op]


@dataclass(frozen=True)
class Branch:
    key: str
    name: str
    role: str
    department: str


@dataclass(frozen=True)
class Step:
    key: str
    name: str
    limit: int
    role: str = ""
    department: str = ""
    actions: tuple[str, ...] = DEFAULT_ACTIONS
    intake: bool = False
    decides: bool = False
    branches: tuple[Branch, ...] = ()
    join: str = "all"
    when: Condition | None = None
    risks: tuple[dict[str, str], ...] = ()

    @property
    def parallel(self) -> bool:
        return bool(self.branches)

    def lanes(self) -> tuple[Branch, ...]:
        """The tasks this step opens: its branches, or itself as the one lane."""
        return self.branches or (Branch("", self.name, self.role, self.department),)


@dataclass(frozen=True)
class Spec:
    steps: tuple[Step, ...] = field(default_factory=tuple)

    def index(self, key: str) -> int:
        for i, step in enumerate(self.steps):
            if step.key == key:
                return i
        raise SpecError(_("流程中没有环节“%(key)s”。") % {"key": key})

    @property
    def deciding(self) -> Step | None:
        """The step whose approval makes the decision; None: the end of the process does."""
        return next((step for step in self.steps if step.decides), None)

    @property
    def total_limit(self) -> int:
        """Working days the decision steps may take in all (the intake step not counted)."""
        return sum(step.limit for step in self.steps if not step.intake)


def _text(data: dict[str, Any], name: str, where: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise SpecError(_("%(where)s缺少“%(name)s”。") % {"where": where, "name": name})
    return value.strip()


def _condition(data: Any, where: str) -> Condition | None:
    if data is None:
        return None
    if not isinstance(data, dict) or data.get("op") not in OPS or not data.get("field"):
        raise SpecError(
            _("%(where)s的条件须为 {field, op, value}，op 取 %(ops)s。")
            % {"where": where, "ops": "、".join(OPS)}
        )
    if data["op"] in ("in", "not_in") and not isinstance(data.get("value"), list):
        raise SpecError(_("%(where)s的条件 in/not_in 须给出列表。") % {"where": where})
    return Condition(str(data["field"]), data["op"], data.get("value"))


def _role(data: dict[str, Any], where: str) -> str:
    role = _text(data, "role", where)
    if role not in Role.values:
        raise SpecError(_("%(where)s的角色“%(role)s”不存在。") % {"where": where, "role": role})
    return role


def parse(data: Any) -> Spec:
    """The spec as typed objects, or SpecError naming the first problem."""
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list) or not data["steps"]:
        raise SpecError(_("流程定义须包含至少一个环节（steps）。"))
    steps, keys = [], set()
    for n, raw in enumerate(data["steps"], start=1):
        where = _("第 %(n)s 个环节") % {"n": n}
        if not isinstance(raw, dict):
            raise SpecError(_("%(where)s格式不正确。") % {"where": where})
        key, name = _text(raw, "key", where), _text(raw, "name", where)
        where = f"{where}（{name}）"
        if key in keys:
            raise SpecError(_("环节代码“%(key)s”重复。") % {"key": key})
        keys.add(key)
        limit = raw.get("limit")
        if not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0:
            raise SpecError(_("%(where)s的时限须为正整数（工作日）。") % {"where": where})
        actions = tuple(raw.get("actions") or DEFAULT_ACTIONS)
        unknown = [a for a in actions if a not in VERBS]
        if unknown:
            raise SpecError(
                _("%(where)s有未知的操作：%(ops)s。") % {"where": where, "ops": "、".join(unknown)}
            )
        if APPROVE not in actions:
            raise SpecError(_("%(where)s必须允许“通过”。") % {"where": where})
        branches: list[Branch] = []
        for b in raw.get("branches") or []:
            bwhere = f"{where}的分支"
            if not isinstance(b, dict):
                raise SpecError(_("%(where)s格式不正确。") % {"where": bwhere})
            branches.append(
                Branch(
                    _text(b, "key", bwhere),
                    _text(b, "name", bwhere),
                    _role(b, bwhere),
                    _text(b, "department", bwhere),
                )
            )
        if branches:
            if len(branches) < 2 or len({b.key for b in branches}) != len(branches):
                raise SpecError(_("%(where)s须有两个以上代码不同的并联分支。") % {"where": where})
            join = raw.get("join", "all")
            if join not in JOINS:
                raise SpecError(_("%(where)s的汇聚规则须为 all 或 any。") % {"where": where})
            role = department = ""
        else:
            join = "all"
            role, department = _role(raw, where), _text(raw, "department", where)
        decides = raw.get("decides", False)
        if not isinstance(decides, bool):
            raise SpecError(_("%(where)s的“decides”须为 true 或 false。") % {"where": where})
        if decides and branches:
            raise SpecError(
                _("%(where)s是并联环节，不能作为作出决定的环节；请在会审之后设决定环节。")
                % {"where": where}
            )
        if n == 1 and (RETURN_PREVIOUS in actions or RETURN_ANY in actions):
            actions = tuple(a for a in actions if a not in (RETURN_PREVIOUS, RETURN_ANY))
        steps.append(
            Step(
                key=key,
                name=name,
                limit=limit,
                role=role,
                department=department,
                actions=actions,
                intake=bool(raw.get("intake")),
                decides=decides,
                branches=tuple(branches),
                join=join,
                when=_condition(raw.get("when"), where),
                risks=tuple(
                    {k: str(v) for k, v in r.items()}
                    for r in raw.get("risks") or []
                    if isinstance(r, dict)
                ),
            )
        )
    if any(s.intake for s in steps[1:]):
        raise SpecError(_("只有第一个环节可以是受理环节。"))
    deciding = [s.name for s in steps if s.decides]
    if len(deciding) > 1:
        raise SpecError(
            _("只能有一个作出决定的环节，现有：%(names)s。") % {"names": "、".join(deciding)}
        )
    if any(s.decides and s.intake for s in steps):
        raise SpecError(_("受理环节不能作为作出决定的环节。"))
    return Spec(tuple(steps))


@lru_cache(maxsize=256)
def parse_json(text: str) -> Spec:
    """The spec stored as JSON text, parsed once per text: every advance reads it. Keyed by the
    text itself, a draft edited since, or a row id used again, cannot reuse a stale parse."""
    return parse(json.loads(text))


def check_limits(spec: Spec, committed_limit: int) -> None:
    """The step limits added up may not pass the committed limit (案卷评查: 各环节时限之和不得超过
    承诺办结时限), or a case could be on time at every step and late overall."""
    if spec.total_limit > committed_limit:
        raise SpecError(
            _("各环节时限合计 %(total)s 个工作日，超过承诺办结时限 %(limit)s 个工作日。")
            % {"total": spec.total_limit, "limit": committed_limit}
        )
