"""What changed in a kwork since a moderator last approved it, field by field, word by word."""
import difflib
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    kind: str  # "same", "removed" or "added"
    text: str


@dataclass(frozen=True)
class FieldChange:
    label: str
    segments: list[Segment]


def _words(text: str) -> list[str]:
    # Keep the whitespace with the words so the joined segments read exactly like the original text.
    return re.findall(r"\s+|[^\s]+", text)


def word_diff(before: str, after: str) -> list[Segment]:
    old, new = _words(before), _words(after)
    segments: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(Segment("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            segments.append(Segment("removed", "".join(old[i1:i2])))
        if j2 > j1:
            segments.append(Segment("added", "".join(new[j1:j2])))
    return segments


def changes(before: dict[str, str], after: dict[str, str]) -> list[FieldChange]:
    """Each labelled field whose text differs (fields only on one side count as empty on the other)."""
    labels = list(before) + [label for label in after if label not in before]
    return [
        FieldChange(label, word_diff(before.get(label, ""), after.get(label, "")))
        for label in labels
        if before.get(label, "") != after.get(label, "")
    ]
