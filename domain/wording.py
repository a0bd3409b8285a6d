"""The engine's own words in the reader's language: reasons, event texts, roles and labels.

The ladder and the playbooks record why a step happened in English (`L1 deadline breached`,
`opened: <case> flagged`), once, in the complaint's history; messages say it to a person. This
module turns those phrases into the message's language when it is rendered, so complaints already
running (whose owed messages carry the English reason) read right too and the workflows compute
nothing new for it. What a person typed (a rejection's reason, a note) passes through as written.
"""

import re
from collections.abc import Callable
from datetime import datetime

from domain.playbooks import CaseEvent
from domain.vocabulary import CHANNELS, FIELDS, LABELS, MESSAGES, ROLES, STEPS, WORDS, Language


def _of(phrase: str) -> str:
    """`de` before a Spanish phrase, contracted (`del líder de equipo`)."""
    return "del " + phrase[3:] if phrase.startswith("el ") else f"de {phrase}"


def _si(answer: str) -> str:
    return "sí" if answer == "yes" else "no"


Render = Callable[[re.Match[str], "Speaker"], str | None]
"""A phrase in the speaker's language; None: not this phrase after all, try the next."""


class Speaker:
    """Says the engine's phrases in one language, moments in one zone."""

    def __init__(
        self,
        language: Language,
        when: Callable[[datetime], str],
        span: Callable[[str], str],
        in_case: bool = False,
    ):
        """`in_case`: the message comes from a playbook, whose reasons start with the event's
        id (`claim: ...`), the policy's own events included."""
        self.language = language if language in ("en", "es") else "en"
        self.when = when
        self.span = span
        self.in_case = in_case

    def role(self, role: str) -> str:
        known = ROLES[self.language].get(role)
        if known is not None:
            return known
        return role.replace("_", " ") if self.language == "es" else f"the {role.replace('_', ' ')}"

    def owner(self, role: str | None, name: str) -> str:
        """Who handles a level, in words: its role in this language where there is a word for
        it, else the level's name as the policy gives it (`Head of Customer Service`); never a
        person."""
        known = ROLES[self.language].get(role) if role else None
        return known if known is not None and self.language != "en" else name

    def addressee(self, role: str) -> str:
        """A role greeted by name when it has none of its own (`Estimado(a) Centro de servicio`)."""
        words = self.role(role).split(" ", 1)
        if words[0] in ("the", "el", "la", "los", "las") and len(words) > 1:
            words = words[1:]
        return " ".join(words)[:1].upper() + " ".join(words)[1:]

    def recorder(self, recorded_by: tuple[str, str | None] | None) -> str | None:
        """Who recorded and signed the complaint (seed 004), unless the customer filed it."""
        if recorded_by is None or recorded_by[0] == "customer":
            return None
        role, name = self.word(recorded_by[0]), recorded_by[1]
        return f"{name} ({role})" if name else role

    def word(self, word: str) -> str:
        return WORDS.get(self.language, {}).get(word) or word.replace("_", " ")

    def label(self, label: str) -> str:
        return LABELS.get(self.language, {}).get(label, label)

    def field(self, name: str) -> str:
        return FIELDS.get(self.language, {}).get(name) or name.replace("_", " ").capitalize()

    def moment(self, text: str) -> str:
        try:
            return self.when(datetime.fromisoformat(text))
        except ValueError:
            return text

    def say(self, text: str | None) -> str | None:
        """`text` in this language if the engine wrote it; else as written."""
        if text is None:
            return None
        for pattern, render in PHRASES:
            found = pattern.fullmatch(text)
            said = render(found, self) if found is not None else None
            if said is not None:
                return said
        return text


def _es(spanish: str, english: str | None = None) -> Render:
    """A phrase whose named parts are said again (`{reason}`), spans and moments formatted."""

    def render(found: re.Match[str], speaker: Speaker) -> str:
        parts = {name: _part(name, value, speaker) for name, value in found.groupdict().items()}
        template = spanish if speaker.language == "es" else (english or found[0])
        return template.format(**parts)

    return render


def _part(name: str, value: str | None, speaker: Speaker) -> str:
    if value is None:
        return ""
    if name.startswith("span"):
        return speaker.span(value)
    if name.startswith("moment"):
        return speaker.moment(value)
    if name.startswith("role"):
        return speaker.role(value)
    if name.startswith("word"):
        return speaker.word(value)
    if name.startswith("said"):
        return speaker.say(value) or ""
    return value  # a level code, a number, a person's words


def _prefixed(found: re.Match[str], speaker: Speaker) -> str | None:
    """`<step or case event>: <why>`: a step kind is said in words; a playbook's event id
    (`promise_missed`, `answered:refused`) is dropped, its reason says what happened."""
    prefix, rest = found["prefix"], speaker.say(found["rest"]) or ""
    if prefix in CASE_EVENTS or "_" in prefix or ":" in prefix:
        return rest
    if speaker.in_case and re.fullmatch(r"[a-z][a-z0-9]*", prefix):
        return rest
    step = STEPS["es"].get(prefix)
    if step is not None:
        return f"{step if speaker.language == 'es' else prefix}: {rest}"
    return None  # a person's words that happen to hold a colon


CASE_EVENTS = frozenset(event.value for event in CaseEvent)
"""The events a playbook's engine raises itself; a policy's own have their names as ids."""
_ISO = r"\d{4}-\d\d-\d\dT[0-9:.]+(?:[+-]\d\d:\d\d|Z)"
PHRASES: list[tuple[re.Pattern[str], Render]] = [
    (re.compile(pattern), render)
    for pattern, render in [
        (
            r"(?:(?:email|sms|webhook): [^;]+)(?:; (?:email|sms|webhook): [^;]+)*",
            lambda found, speaker: "; ".join(
                f"{CHANNELS.get(speaker.language, {}).get(channel, channel)}: {detail}"
                for channel, _, detail in (part.partition(": ") for part in found[0].split("; "))
            ),
        ),
        (r"(?P<prefix>[a-z_]+(?::[a-z_]+)?|[a-z]+(?: [a-z]+)?): (?P<rest>.+)", _prefixed),
        (r"new complaint", _es("queja nueva")),
        (r"(?P<level>L\d+) deadline breached", _es("venció el plazo del nivel {level}")),
        (r"resolution window ran out", _es("se agotó el plazo de resolución")),
        (r"still unresolved after the deadline", _es("sigue sin resolverse después del plazo")),
        (
            r"(?P<share>\d+%) of the (?P<level>L\d+) window of (?P<span>.+) has passed",
            _es(
                "ha pasado el {share} del plazo de {span} del nivel {level}",
                "{share} of the {level} window of {span} has passed",
            ),
        ),
        (
            r"(?P<said>.+); [a-z_]+ held it until the end of (?P<said_by>.+)",
            _es(
                "{said}; la espera duró hasta el fin de {said_by}",
                "{said}; held until the end of {said_by}",
            ),
        ),
        (
            r"(?P<said>.+); [a-z_]+ held it until (?P<said_by>.+)",
            _es("{said}; la espera duró hasta que {said_by}", "{said}; held until {said_by}"),
        ),
        (
            r"the promise to the customer of (?P<span>.+) was missed",
            _es(
                "no se cumplió la promesa al cliente de {span}",
                "the promise to the customer of {span} was missed",
            ),
        ),
        (
            r"the promise to the customer of (?P<span>.+)",
            _es("la promesa al cliente de {span}", "the promise to the customer of {span}"),
        ),
        (
            r"the deadline (?P<role>[a-z_]+) was given",
            _es("el plazo dado a {role}", "the deadline given to {role}"),
        ),
        (
            r"the deadline (?P<name>[^;]+) was given",  # a named contact (SAT Norte)
            _es("el plazo dado a {name}", "the deadline given to {name}"),
        ),
        (
            r"(?P<level>L\d+) window of (?P<span>.+) ran out",
            _es(
                "se agotó el plazo de {span} del nivel {level}", "{level} window of {span} ran out"
            ),
        ),
        (
            r"customer rejected the resolution: (?P<text>.*)",
            _es("el cliente rechazó la solución: {text}"),
        ),
        (r"customer rejected the resolution", _es("el cliente rechazó la solución")),
        (r"the customer accepted the resolution", _es("el cliente aceptó la solución")),
        (r"the customer did not answer in time", _es("el cliente no respondió a tiempo")),
        (r"reopen window ended", _es("terminó el plazo para reabrirla")),
        (r"the complaint is resolved", _es("la queja está resuelta")),
        (r"not satisfied", _es("no está satisfecho")),
        (r"reopened: (?P<text>.*)", _es("reabierta: {text}")),
        (r"escalated by (?P<name>[^:]+): (?P<text>.*)", _es("escalada por {name}: {text}")),
        (r"filed via (?P<word>[a-z_]+)", _es("presentada por {word}", "filed by {word}")),
        (
            r"the proposed resolution stands at (?P<moment>" + _ISO + r") unless answered",
            _es(
                "la solución propuesta se da por aceptada el {moment} si no hay respuesta",
                "the proposed resolution stands on {moment} unless answered",
            ),
        ),
        (
            r"refresh the customer's hold: waiting for a supervisor since (?P<moment>" + _ISO + ")",
            _es(
                "renueve la espera del cliente: espera a un supervisor desde el {moment}",
                "refresh the customer's hold: waiting for a supervisor since {moment}",
            ),
        ),
        (
            r"the customer waited (?P<span>.+) and no supervisor joined",
            _es("el cliente esperó {span} y ningún supervisor se unió"),
        ),
        (
            r"(?P<count>\d+) contacts about the same matter: handled by the (?P<role>[a-z_]+)",
            lambda found, speaker: (
                f"{found['count']} contactos sobre el mismo asunto: ahora a cargo "
                f"{_of(speaker.role(found['role']))}"
                if speaker.language == "es"
                else f"{found['count']} contacts about the same matter: now handled by "
                f"{speaker.role(found['role'])}"
            ),
        ),
        (
            r"high-frequency repeat tiers: (?P<tiers>[\d/]+) contacts",
            _es("niveles de alta frecuencia: {tiers} contactos"),
        ),
        (
            r"usual repeat tiers: (?P<tiers>[\d/]+) contacts",
            _es("niveles habituales: {tiers} contactos"),
        ),
        (
            r"(?P<kind>[a-z_]+) to (?P<name>.+) could not be delivered",
            lambda found, speaker: (
                f"no se pudo entregar {MESSAGES['es'].get(found['kind'], 'un mensaje')} "
                f"a {found['name']}"
                if speaker.language == "es"
                else f"the {found['kind'].replace('_', ' ')} to {found['name']} could not be "
                "delivered"
            ),
        ),
        (
            r"the company is responsible; handled by (?P<names>.+)",
            _es("la empresa es responsable; la atendieron: {names}"),
        ),
        (
            r"company responsible: (?P<a>yes|no); first handling appropriate: (?P<b>yes|no); "
            r"appeal reasonable: (?P<c>yes|no)",
            lambda found, speaker: (
                f"empresa responsable: {_si(found['a'])}; manejo inicial apropiado: "
                f"{_si(found['b'])}; apelación razonable: {_si(found['c'])}"
                if speaker.language == "es"
                else found[0]
            ),
        ),
        (
            r"promised the customer (?P<span>.+): by (?P<moment>" + _ISO + ")",
            _es(
                "se prometió al cliente {span}: a más tardar el {moment}",
                "promised the customer {span}: by {moment}",
            ),
        ),
        (
            r"the (?P<span>.+) wait already ended at (?P<moment>" + _ISO + ")",
            _es(
                "el plazo de {span} ya terminó el {moment}",
                "the {span} wait already ended on {moment}",
            ),
        ),
        (
            r"asked (?P<name>.+) \((?P<role>[a-z_]+)\) to answer(?: by (?P<moment>" + _ISO + "))?",
            lambda found, speaker: (
                f"se pidió respuesta a {found['name']} ({speaker.role(found['role'])})"
                + (f" a más tardar el {speaker.moment(found['moment'])}" if found["moment"] else "")
                if speaker.language == "es"
                else f"asked {found['name']} ({speaker.role(found['role'])}) to answer"
                + (f" by {speaker.moment(found['moment'])}" if found["moment"] else "")
            ),
        ),
        (
            r"escalated to (?P<role>[a-z_]+): (?P<said>.+)",
            _es("escalada a {role}: {said}", "escalated to {role}: {said}"),
        ),
        (
            r"handled by the (?P<role>[a-z_]+): (?P<said>.+)",
            _es("a cargo de {role}: {said}", "handled by {role}: {said}"),
        ),
        (r"contact #(?P<count>\d+)", _es("contacto n.º {count}")),
        (
            r"not counted: within (?P<span>.+) of the customer's last counted contact",
            _es(
                "no cuenta: a menos de {span} del último contacto contado del cliente",
                "not counted: within {span} of the customer's last counted contact",
            ),
        ),
        (
            r"(?P<kind>[a-z]+(?:_[a-z]+)*)",
            lambda found, speaker: (
                None  # a message a playbook told the customer; a person's one word stays
                if found["kind"] not in MESSAGES["es"] or not speaker.in_case
                else MESSAGES["es"][found["kind"]]
                if speaker.language == "es"
                else f"the {found['kind'].replace('_', ' ')} message"
            ),
        ),
        (
            r"(?P<title>.+) flagged",
            _es("se abrió el caso «{title}»", "case opened: {title}"),
        ),
        (r"scheduled (?P<word>[a-z_]+)", _es("llegó la fecha programada: {word}", "due: {word}")),
        (
            r"(?P<role>[a-z_]+) answered: (?P<word>[a-z_]+)",
            _es("{role} respondió: {word}", "{role} answered: {word}"),
        ),
        (r"(?P<role>[a-z_]+) answered", _es("{role} respondió", "{role} answered")),
        (
            r"(?P<role>[a-z_]+) did not answer in time",
            _es("{role} no respondió a tiempo", "{role} did not answer in time"),
        ),
        (
            r"the promise to the customer \((?P<span>.+)\) was not kept",
            _es(
                "no se cumplió la promesa al cliente ({span})",
                "the promise to the customer ({span}) was not kept",
            ),
        ),
    ]
]
"""The engine's phrases (domain/ladder.py, playbook_runner.py, ...), most specific first."""
