"""The words the engine's messages use, per language: roles, labels, fields, step kinds,
message kinds and channels (`domain.wording` puts them into sentences)."""

Language = str
"""`en` or `es`; any other language reads the English phrases, identifiers made words."""

ROLES: dict[Language, dict[str, str]] = {
    "en": {
        "service_centre": "the service centre",
        "retailer": "the retailer",
        "return_letters": "the return letters desk",
        "complaint_specialists": "the complaint specialists",
        "team_leader": "the team leader",
        "third_level_manager": "the third-level manager",
        "brand_escalations": "the brand escalations team",
        "accountability": "the accountability team",
        "customer": "the customer",
    },
    "es": {
        "agent": "el agente",
        "supervisor": "el supervisor",
        "service_centre": "el centro de servicio",
        "retailer": "el distribuidor",
        "return_letters": "el área de cartas de devolución",
        "complaint_specialists": "los especialistas en quejas",
        "team_leader": "el líder de equipo",
        "third_level_manager": "el gerente de tercer nivel",
        "brand_escalations": "el equipo de escalamientos de la marca",
        "accountability": "el equipo de rendición de cuentas",
        "customer": "el cliente",
        "grievance_desk": "la mesa de quejas",
        "head_of_customer_service": "la dirección de atención al cliente",
        "office_of_the_president": "la oficina de la presidencia",
        "frontline": "el agente",
        "admin": "el administrador",
    },
}

LABELS: dict[Language, dict[str, str]] = {
    "es": {
        "Ticket": "Folio",
        "Case": "Caso",
        "Customer": "Cliente",
        "Company": "Empresa",
        "Address": "Dirección",
        "Email": "Correo electrónico",
        "Phone": "Teléfono",
        "Product": "Producto",
        "Description": "Descripción",
        "Recorded by": "Registrada por",
        "Promised": "Plazo prometido",
        "Promise due": "La promesa vence",
        "Asked": "Se pidió respuesta a",
        "Answer": "Respuesta",
    },
}
"""The escalation record's labels (seed 003's spreadsheet); English is the key."""

FIELDS: dict[Language, dict[str, str]] = {
    "es": {
        "service_centre": "Centro de servicio",
        "service_order": "Orden de servicio",
        "part": "Pieza",
        "packing": "Empaque",
        "fault": "Falla",
        "retailer": "Distribuidor",
        "requested_on": "Solicitado el",
        "return_started_on": "Devolución iniciada el",
    },
}
"""Playbook fields as labels; a field not listed reads as its name made words."""

WORDS: dict[Language, dict[str, str]] = {
    "es": {
        # playbook outcomes and scheduled events
        "transport_damage": "daño en el transporte",
        "centre_damage": "daño causado por el centro de servicio",
        "refused": "no se hace responsable",
        "amazon_overdue": "Amazon pasó de 25 días",
        # channels a complaint is filed through
        "app": "la aplicación",
        "website": "el sitio web",
        "phone": "teléfono",
        "email": "correo electrónico",
        "form": "formulario",
        "chat": "chat",
        "in_person": "en persona",
        # recorders (seed 004)
        "agent": "agente",
        "office_clerk": "empleado de oficina",
        "receptionist": "recepcionista",
        "salesperson": "vendedor",
    },
}

STEPS: dict[Language, dict[str, str]] = {
    "es": {
        "opened": "abierta",
        "warned": "aviso de plazo",
        "breached": "plazo vencido",
        "escalated": "escalada",
        "realerted": "alerta repetida",
        "resolution proposed": "solución propuesta",
        "accepted": "solución aceptada",
        "rejected": "solución rechazada",
        "resolved": "resuelta",
        "reopened": "reabierta",
        "paused": "reloj en pausa",
        "resumed": "reloj reanudado",
        "contacted": "nuevo contacto",
        "reassigned": "reasignada",
        "supervisor requested": "pidió un supervisor",
        "supervisor joined": "se unió el supervisor",
        "supervisor missed": "llamada de supervisor perdida",
        "closed": "cerrada",
        "note added": "nota añadida",
        "reply approved": "respuesta aprobada",
        "reply refused": "respuesta rechazada",
        "decision reminded": "recordatorio de la solución",
        "assessed": "evaluada",
        "accountability opened": "rendición de cuentas abierta",
        "case opened": "caso abierto",
        "case asked": "respuesta pedida",
        "case promised": "promesa al cliente",
        "case escalated": "caso escalado",
        "case task": "tarea",
        "customer told": "se informó al cliente",
        "case answered": "respuesta recibida",
        "case event": "evento del caso",
        "case silent": "sin respuesta a tiempo",
        "promise missed": "promesa incumplida",
        "follow up": "seguimiento",
        "case done": "caso terminado",
        "assigned": "asignada",
        "released": "liberada",
    },
}
"""The history's step kinds as the third-level manager's status texts name them."""

MESSAGES: dict[Language, dict[str, str]] = {
    "es": {
        "acknowledgement": "el acuse de recibo",
        "assigned": "el aviso de asignación",
        "sla_warning": "el aviso de plazo",
        "breach_alert": "la alerta de plazo vencido",
        "escalated": "el aviso de escalamiento al cliente",
        "resolution_proposed": "la propuesta de solución",
        "resolved": "el aviso de queja resuelta",
        "repeat_contact": "el aviso de queja repetida",
        "supervisor_requested": "el aviso urgente al supervisor",
        "hold_reminder": "el recordatorio de espera",
        "supervisor_missed": "el aviso de llamada perdida",
        "approval_requested": "la solicitud de aprobación",
        "reply_refused": "el aviso de respuesta rechazada",
        "decision_reminder": "el recordatorio de la solución",
        "accountability": "el aviso de rendición de cuentas",
        "case_request": "la solicitud del caso",
        "return_letter_request": "la solicitud de carta de devolución",
        "case_promise": "la promesa del caso",
        "case_escalation": "el registro de escalación",
        "case_task": "la tarea del caso",
        "injury_claim": "el mensaje por lesión o daño",
        "not_covered": "el aviso de daño sin cobertura",
        "retailer_contacts": "los contactos del distribuidor",
        "status_update": "la novedad por SMS",
        "delivery_failed": "el aviso de mensaje no entregado",
    },
}
"""Message kinds (domain.messages.NotificationKind) as a sentence names them."""


CHANNELS: dict[Language, dict[str, str]] = {
    "es": {"email": "correo electrónico", "sms": "SMS", "webhook": "chat"},
}
"""Delivery channels as an undelivered message's failures name them (the detail is the
server's own words)."""
