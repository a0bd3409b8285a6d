"""Pure complaint domain: models, escalation policy and deadline maths. No I/O, no Temporal."""
