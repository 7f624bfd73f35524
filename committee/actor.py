"""Who is acting: a signed-in person, or the operator at the server's command line."""

from dataclasses import dataclass

ROLE_LABELS = {
    "admin": "Administrator",
    "chair": "Chair / secretariat",
    "agency_rep": "Agency representative",
    "observer": "Observer",
    "system": "Operator (command line)",
}


@dataclass(frozen=True)
class Actor:
    id: int | None
    email: str
    name: str
    role: str
    agency_id: int | None = None
    agency_code: str | None = None

    @property
    def label(self) -> str:
        return self.email

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @classmethod
    def operator(cls, who: str = "operator") -> "Actor":
        """The person at the server's shell: they hold the database already, so the CLI acts
        with full rights, and every write is still audited under this label."""
        return cls(id=None, email=f"cli:{who}", name="Operator (command line)", role="system")
