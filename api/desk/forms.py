"""The desk's action forms, made from the command registry (`domain.commands.ROUTES`).

Each route the signed-in role may use becomes a form: its body model gives the fields, their
labels and types, which fields are optional and how long a text may be; a route about one case
(`cases/{case_type}/...`) becomes a form per running case, flagging becomes a form per playbook
of the complaint's policy (its fields are the playbook's). A posted form is read back into the
same body model the API validates, so the desk's refusals are the API's.
"""

import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from annotated_types import MaxLen
from pydantic import BaseModel, StringConstraints, ValidationError
from pydantic.fields import FieldInfo

from domain.command import Route
from domain.commands import BY_UPDATE, ROUTES
from domain.history import ActorRole
from domain.policy import EscalationPolicy
from domain.status import WHY_NOT, ComplaintStatus
from domain.view import ComplaintView

Widget = Literal["line", "text", "choice", "yes_no", "date"]
LONG_TEXT = 300
"""Texts that may be longer than this get a text area, shorter ones a line."""
CHOICE_LABELS = {
    "internal": (("yes", "Internal: staff only"), ("no", "Public: the customer sees it")),
}
"""Yes/no fields whose answers read better named."""
PRESELECTED = {"internal": "yes"}
"""The answer a yes/no field starts with where its default (None) means it."""
FLAG_CASE = "flag_case"


@dataclass(frozen=True)
class FormField:
    """One input of a form: `name` is the body's field (`fields.<name>` for a playbook's)."""

    name: str
    label: str
    widget: Widget
    required: bool
    hint: str | None = None
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int | None = None
    preselected: str | None = None


@dataclass(frozen=True)
class ActionForm:
    """A form for one route (and case, or playbook to flag)."""

    route: Route
    key: str
    """Unique on the page: the route's name, with the case type where there is one."""
    title: str
    help: str
    path: str
    """The route's path with its case type filled in, under /desk/complaints/{id}/."""
    fields: tuple[FormField, ...]
    fixed: Mapping[str, str] = field(default_factory=dict)
    """Values the form sends as hidden fields (a playbook's case type)."""
    case_type: str | None = None
    why_not: str | None = None
    """Why the complaint's state refuses it now, or None when it fits."""


@dataclass
class Posted:
    """A posted form read back: the body (None when invalid), the values and the errors."""

    body: BaseModel | None
    values: dict[str, str]
    errors: dict[str, str]
    """By field name; `""` for the form as a whole."""


def forms_for(view: ComplaintView, policy: EscalationPolicy, role: ActorRole) -> list[ActionForm]:
    """Every form the role may use on this complaint, in the registry's order."""
    forms: list[ActionForm] = []
    for route in ROUTES:
        if role not in route.roles:
            continue
        why_not = _why_not(route, view.status)
        if route.name == FLAG_CASE:
            forms.extend(_flag_forms(route, policy, why_not))
        elif "case_type" in route.path_parameters:
            for case in view.cases:
                if case.active:
                    forms.append(_form(route, policy, why_not, case.case_type, case.title))
        else:
            forms.append(_form(route, policy, why_not))
    return forms


def read_posted(form: ActionForm, posted: Mapping[str, str]) -> Posted:
    """The form's body from posted values, validated as the API validates it."""
    values = {spec.name: posted.get(spec.name, "") for spec in form.fields}
    if form.route.body is None:
        return Posted(None, values, {})
    data: dict[str, Any] = dict(form.fixed)
    playbook_fields: dict[str, str] = {}
    for spec in form.fields:
        value = values[spec.name].strip()
        if not value:
            continue  # left empty: the field's default, or "Field required"
        if spec.widget == "yes_no":
            parsed: Any = {"yes": True, "no": False}.get(value, value)
        else:
            parsed = value
        if spec.name.startswith("fields."):
            playbook_fields[spec.name.removeprefix("fields.")] = parsed
        else:
            data[spec.name] = parsed
    if form.route.name == FLAG_CASE:
        data["fields"] = playbook_fields
    try:
        return Posted(form.route.body.model_validate(data), values, {})
    except ValidationError as err:
        return Posted(None, values, errors_by_field(err.errors(), form.fields))


def errors_by_field(
    errors: Sequence[Mapping[str, Any]], fields: Sequence[FormField]
) -> dict[str, str]:
    """Validation errors by the form's field names; those of no field under `""`."""
    names = {spec.name for spec in fields}
    found: dict[str, str] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part != "body"]
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        where = next((name for name in (".".join(loc[:2]), ".".join(loc[:1])) if name in names), "")
        found[where] = f"{found[where]} {message}" if where in found else message
    return found


# --- making forms --------------------------------------------------------------------------------


def _form(
    route: Route,
    policy: EscalationPolicy,
    why_not: str | None,
    case_type: str | None = None,
    case_title: str | None = None,
) -> ActionForm:
    path = route.path.replace("{case_type}", case_type) if case_type else route.path
    fields = _fields(route.body, policy.playbooks.get(case_type or "")) if route.body else ()
    title = _title(route)
    return ActionForm(
        route=route,
        key=f"{route.name}-{case_type}" if case_type else route.name,
        title=f"{title}: {case_title}" if case_title else title,
        help=_first_paragraph(route.description),
        path=path,
        fields=fields,
        case_type=case_type,
        why_not=why_not,
    )


def _flag_forms(route: Route, policy: EscalationPolicy, why_not: str | None) -> list[ActionForm]:
    """One form per playbook: its fields are the playbook's, dates as dates."""
    forms = []
    for case_type, playbook in policy.playbooks.items():
        fields = [
            FormField(
                name=f"fields.{name}",
                label=name.replace("_", " ").capitalize(),
                widget="date" if name in playbook.date_fields else "line",
                required=True,
                hint=meaning,
                max_length=500,
            )
            for name, meaning in playbook.fields.items()
        ]
        fields.append(
            FormField(
                name="description",
                label="Description",
                widget="text",
                required=False,
                hint="Details for the escalation record",
                max_length=5000,
            )
        )
        forms.append(
            ActionForm(
                route=route,
                key=f"{route.name}-{case_type}",
                title=f"Flag case: {playbook.title}",
                help=f"{playbook.first_action} Starts the {case_type} playbook at once.",
                path=route.path,
                fields=tuple(fields),
                fixed={"case_type": case_type},
                case_type=case_type,
                why_not=why_not,
            )
        )
    return forms


def _fields(body: type[BaseModel], playbook: Any) -> tuple[FormField, ...]:
    specs = []
    for name, info in body.model_fields.items():
        specs.append(_field(name, info, playbook))
    return tuple(specs)


def _field(name: str, info: FieldInfo, playbook: Any) -> FormField:
    annotation = _without_none(info.annotation)
    required = info.is_required()
    label = name.replace("_", " ").capitalize()
    hint = info.description
    if annotation is bool:
        return FormField(
            name=name,
            label=hint if hint and hint.endswith("?") else label,
            widget="yes_no",
            required=required,
            hint=None if hint and hint.endswith("?") else hint,
            choices=CHOICE_LABELS.get(name, (("yes", "Yes"), ("no", "No"))),
            preselected=PRESELECTED.get(name),
        )
    if get_origin(annotation) is Literal:
        choices = tuple((str(value), str(value).capitalize()) for value in get_args(annotation))
        return FormField(name, label, "choice", required, hint, choices)
    if playbook is not None and name == "outcome":
        choices = tuple((outcome, outcome.replace("_", " ")) for outcome in playbook.outcomes)
        return FormField(name, label, "choice", required, hint, choices)
    if playbook is not None and name == "event":
        choices = tuple(
            (event, f"{event.replace('_', ' ')}: {meaning}")
            for event, meaning in playbook.events.items()
        )
        return FormField(name, label, "choice", required, hint, choices)
    longest = _max_length(info)
    widget: Widget = "text" if longest is None or longest > LONG_TEXT else "line"
    return FormField(name, label, widget, required, hint, max_length=longest)


def _without_none(annotation: Any) -> Any:
    """`X | None` as X."""
    if get_origin(annotation) in (Union, types.UnionType):
        options = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(options) == 1:
            return _without_none(options[0])
    if get_origin(annotation) is Annotated:
        return _without_none(get_args(annotation)[0])
    return annotation


def _max_length(info: FieldInfo) -> int | None:
    """The longest text a field takes, from its constraints wherever they are annotated."""
    found: list[Any] = list(info.metadata)
    pending = [info.annotation]
    while pending:
        annotation = pending.pop()
        if get_origin(annotation) is Annotated:
            found.extend(get_args(annotation)[1:])
        pending.extend(get_args(annotation))
    for item in found:
        if isinstance(item, StringConstraints | MaxLen) and item.max_length is not None:
            return item.max_length
    return None


def _title(route: Route) -> str:
    return route.name.replace("_", " ").capitalize()


def _first_paragraph(text: str) -> str:
    return " ".join(text.strip().split("\n\n")[0].split())


def _why_not(route: Route, status: ComplaintStatus) -> str | None:
    """Why the complaint's status refuses every command the route may send, or None."""
    commands = [BY_UPDATE[update] for update in route.updates]
    if any(status in command.allowed_in for command in commands):
        return None
    command = commands[0]
    return command.why_not.get(status, WHY_NOT[status])
