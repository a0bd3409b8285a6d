"""The tracking page's words in the complaint's language (en, es): labels, roles, steps."""

from domain.history import ActorRole, StepKind
from domain.status import ComplaintStatus

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Your complaint {id}",
        "skip": "Skip to content",
        "site": "Complaint tracking",
        "about": "About {product}: {reason}",
        "where": "Where it stands",
        "status": "Status",
        "level": "Level",
        "handled_by": "Handled by",
        "answer_by": "We answer by",
        "no_deadline": "No deadline while {why}",
        "promise": "We promised",
        "promise_by": "{promise}, by {at}",
        "decide_by": "Please decide by",
        "reopen_until": "You can reopen it until",
        "opened": "Filed",
        "proposal": "Our proposed resolution",
        "accept": "Accept the resolution",
        "reject": "Reject the resolution",
        "reject_reason": "Why do you reject it?",
        "message": "Send us a message",
        "message_label": "Your message",
        "message_hint": "It is added to your complaint; repeated contacts move it up.",
        "send": "Send the message",
        "reopen": "Reopen the complaint",
        "reopen_reason": "What is wrong again?",
        "history": "What has happened",
        "you": "You",
        "engine": "Our system",
        "refused": "That could not be done",
        "done": "Done. Thank you.",
        "invalid": "Please fill in this field.",
        "gone_title": "This link does not work",
        "gone": "This tracking link is not valid, or the complaint is closed.",
        "unavailable_title": "Please try again in a few minutes",
        "unavailable": "We cannot show your complaint right now. Nothing was changed.",
        "footer": "Times in {zone}",
    },
    "es": {
        "title": "Su queja {id}",
        "skip": "Ir al contenido",
        "site": "Seguimiento de quejas",
        "about": "Sobre {product}: {reason}",
        "where": "Cómo va",
        "status": "Estado",
        "level": "Nivel",
        "handled_by": "La atiende",
        "answer_by": "Le respondemos a más tardar el",
        "no_deadline": "Sin plazo mientras {why}",
        "promise": "Le prometimos",
        "promise_by": "{promise}, a más tardar el {at}",
        "decide_by": "Decida a más tardar el",
        "reopen_until": "Puede reabrirla hasta el",
        "opened": "Presentada",
        "proposal": "Nuestra propuesta de solución",
        "accept": "Aceptar la solución",
        "reject": "Rechazar la solución",
        "reject_reason": "¿Por qué la rechaza?",
        "message": "Envíenos un mensaje",
        "message_label": "Su mensaje",
        "message_hint": "Se añade a su queja; los contactos repetidos la elevan de nivel.",
        "send": "Enviar el mensaje",
        "reopen": "Reabrir la queja",
        "reopen_reason": "¿Qué volvió a fallar?",
        "history": "Lo que ha pasado",
        "you": "Usted",
        "engine": "Nuestro sistema",
        "refused": "No se pudo hacer",
        "done": "Hecho. Gracias.",
        "invalid": "Complete este campo.",
        "gone_title": "Este enlace no funciona",
        "gone": "Este enlace de seguimiento no es válido, o la queja está cerrada.",
        "unavailable_title": "Intente de nuevo en unos minutos",
        "unavailable": "No podemos mostrar su queja en este momento. No se cambió nada.",
        "footer": "Horas en {zone}",
    },
}

STATUS: dict[str, dict[ComplaintStatus, str]] = {
    "en": {
        ComplaintStatus.OPEN: "being worked on",
        ComplaintStatus.PAUSED: "waiting for information from you",
        ComplaintStatus.AWAITING_APPROVAL: "being worked on",
        ComplaintStatus.AWAITING_CUSTOMER: "waiting for your decision on our proposal",
        ComplaintStatus.RESOLVED: "resolved",
        ComplaintStatus.CLOSED: "closed",
    },
    "es": {
        ComplaintStatus.OPEN: "en atención",
        ComplaintStatus.PAUSED: "en espera de información suya",
        ComplaintStatus.AWAITING_APPROVAL: "en atención",
        ComplaintStatus.AWAITING_CUSTOMER: "en espera de su decisión sobre nuestra propuesta",
        ComplaintStatus.RESOLVED: "resuelta",
        ComplaintStatus.CLOSED: "cerrada",
    },
}

ROLES: dict[str, dict[str, str]] = {
    "en": {
        "agent": "a customer care agent",
        "team_leader": "a team leader",
        "supervisor": "a supervisor",
        "complaint_specialists": "our complaint specialists",
        "third_level_manager": "a senior manager",
        "frontline": "a customer care agent",
        "grievance_desk": "our grievance desk",
        "head_of_customer_service": "our head of customer service",
        "office_of_the_president": "the office of the president",
        "brand_escalations": "our brand escalations team",
        "admin": "an administrator",
    },
    "es": {
        "agent": "un agente de atención al cliente",
        "team_leader": "un líder de equipo",
        "supervisor": "un supervisor",
        "complaint_specialists": "nuestros especialistas en quejas",
        "third_level_manager": "un gerente de tercer nivel",
        "frontline": "un agente de atención al cliente",
        "grievance_desk": "nuestra mesa de quejas",
        "head_of_customer_service": "nuestra dirección de atención al cliente",
        "office_of_the_president": "la oficina de la presidencia",
        "brand_escalations": "nuestro equipo de escalamientos de la marca",
        "admin": "un administrador",
    },
}

STEPS: dict[str, dict[StepKind, str]] = {
    "en": {
        StepKind.OPENED: "registered the complaint",
        StepKind.WARNED: "reminded the team of the deadline",
        StepKind.BREACHED: "the deadline passed",
        StepKind.ESCALATED: "moved it up a level",
        StepKind.NEW_ROUND: "gave it a fresh look at the top level",
        StepKind.REALERTED: "alerted the top level again",
        StepKind.RESOLUTION_PROPOSED: "proposed a resolution",
        StepKind.ACCEPTED: "accepted the resolution",
        StepKind.REJECTED: "rejected the resolution",
        StepKind.RESOLVED: "resolved the complaint",
        StepKind.REOPENED: "reopened the complaint",
        StepKind.PAUSED: "asked for information",
        StepKind.RESUMED: "went on working",
        StepKind.CONTACTED: "got in touch",
        StepKind.SUPERVISOR_REQUESTED: "asked for a supervisor",
        StepKind.SUPERVISOR_JOINED: "joined the call as supervisor",
        StepKind.CLOSED: "closed the complaint",
        StepKind.NOTE_ADDED: "wrote",
        StepKind.DECISION_REMINDED: "reminded you of the proposal",
        StepKind.CASE_PROMISED: "made you a promise",
        StepKind.CUSTOMER_TOLD: "told you",
        StepKind.PROMISE_MISSED: "missed a promise",
        StepKind.CASE_DONE: "finished a case",
        StepKind.CASE_OPENED: "opened a case",
        StepKind.CASE_ASKED: "asked for an answer",
        StepKind.CASE_ANSWERED: "got an answer",
        StepKind.CASE_ESCALATED: "passed the case to a higher department",
        StepKind.CASE_EVENT: "noted",
    },
    "es": {
        StepKind.OPENED: "registró la queja",
        StepKind.WARNED: "recordó el plazo al equipo",
        StepKind.BREACHED: "venció el plazo",
        StepKind.ESCALATED: "la subió de nivel",
        StepKind.NEW_ROUND: "la volvió a revisar en el nivel más alto",
        StepKind.REALERTED: "alertó de nuevo al nivel más alto",
        StepKind.RESOLUTION_PROPOSED: "propuso una solución",
        StepKind.ACCEPTED: "aceptó la solución",
        StepKind.REJECTED: "rechazó la solución",
        StepKind.RESOLVED: "resolvió la queja",
        StepKind.REOPENED: "reabrió la queja",
        StepKind.PAUSED: "pidió información",
        StepKind.RESUMED: "siguió trabajando",
        StepKind.CONTACTED: "se comunicó",
        StepKind.SUPERVISOR_REQUESTED: "pidió un supervisor",
        StepKind.SUPERVISOR_JOINED: "se unió a la llamada como supervisor",
        StepKind.CLOSED: "cerró la queja",
        StepKind.NOTE_ADDED: "escribió",
        StepKind.DECISION_REMINDED: "le recordó la propuesta",
        StepKind.CASE_PROMISED: "le hizo una promesa",
        StepKind.CUSTOMER_TOLD: "le informó",
        StepKind.PROMISE_MISSED: "no cumplió una promesa",
        StepKind.CASE_DONE: "terminó un caso",
        StepKind.CASE_OPENED: "abrió un caso",
        StepKind.CASE_ASKED: "pidió una respuesta",
        StepKind.CASE_ANSWERED: "recibió una respuesta",
        StepKind.CASE_ESCALATED: "pasó el caso a un departamento superior",
        StepKind.CASE_EVENT: "anotó",
    },
}


def language_of(locale: str) -> str:
    """`es-MX` → `es`; a language the page has no words for reads English."""
    language = locale.split("-")[0].lower()
    return language if language in LABELS else "en"


def role_words(role: str, language: str) -> str:
    return ROLES[language].get(role, role.replace("_", " "))


def step_words(kind: StepKind, language: str) -> str:
    return STEPS[language].get(kind) or kind.value.replace("_", " ")


def actor_words(role: ActorRole, language: str) -> str:
    if role is ActorRole.CUSTOMER:
        return LABELS[language]["you"]
    if role is ActorRole.SYSTEM:
        return LABELS[language]["engine"]
    return role_words(role.value, language).capitalize()
