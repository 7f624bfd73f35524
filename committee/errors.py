"""The few exceptions services raise; pages and the CLI turn them into messages."""


class CommitteeError(Exception):
    """Base of the project's errors: the message is meant for the person, as it is."""


class PermissionDenied(CommitteeError):
    def __init__(self, message: str, *, permission: str = "", record_type: str = "", record_id=""):
        super().__init__(message)
        self.permission = permission
        self.record_type = record_type
        self.record_id = str(record_id or "")
        # Which service was refused, and for whom: set by ``transaction.writing``.
        self.refused_action = ""
        self.refused_actor = None


class ValidationError(CommitteeError):
    """Bad input; ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.field = field


class NotFound(CommitteeError):
    pass


class Conflict(CommitteeError):
    """Someone else changed the record since it was read. ``current`` holds the record as it is
    now, ``changed_by`` who changed it, so the person can re-apply their own input."""

    def __init__(self, message: str, *, current: dict | None = None, changed_by: str = ""):
        super().__init__(message)
        self.current = current or {}
        self.changed_by = changed_by
