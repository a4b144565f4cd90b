from dataclasses import dataclass


class DomainError(Exception):
    """A rule refused an action; `str(error)` is a message fit to show the user."""


@dataclass(frozen=True)
class FieldIssue:
    """A problem with one input: `field` is the form field's id, `message` the sentence shown beside it."""

    field: str
    message: str


class ValidationFailed(DomainError):
    def __init__(self, issues: list[FieldIssue]):
        self.issues = issues
        super().__init__("; ".join(issue.message for issue in issues))
