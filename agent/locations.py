"""Where a patient says the trouble is, in everyday words, as the graph's body parts it may mean.

>>> locations = BodyLocations.load()
>>> locations.find("我最近右上腹隐痛，还乏力")
Located(parts=('肝', '胆', '腹部'), named=())
>>> locations.find("胃胀，右上腹也疼").named      # a word that is a body part's own name
('胃',)
>>> locations.find("乏力两周") is None
True

The words and what they point to are data (``agent/data/body_locations.tsv``): a location says "somewhere
among these", so it lists every body part it may mean (右上腹: liver, gallbladder, abdomen).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from wenzhen.agent.inquiry import Located
from wenzhen.core.errors import InputError
from wenzhen.core.files import decode_file


def locations_path() -> Path:
    return Path(str(resources.files("wenzhen.agent") / "data" / "body_locations.tsv"))


@dataclass(frozen=True)
class BodyLocations:
    parts: dict[str, tuple[str, ...]]
    """Location word -> the graph body parts it may mean."""

    @classmethod
    def load(cls, path: Path | None = None) -> BodyLocations:
        """``words<TAB>parts`` lines, each side 、-separated; ``#`` starts a comment."""
        path = path or locations_path()
        parts: dict[str, tuple[str, ...]] = {}
        for number, line in enumerate(decode_file(path).text.splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 2 or not fields[0].strip() or not fields[1].strip():
                raise InputError(f"{path}:{number}: expected location words<TAB>body parts, not {line!r}")
            meant = tuple(p.strip() for p in fields[1].split("、") if p.strip())
            for word in fields[0].split("、"):
                if word.strip():
                    parts[word.strip()] = tuple(dict.fromkeys([*parts.get(word.strip(), ()), *meant]))
        return cls(parts)

    def find(self, text: str) -> Located | None:
        """Where ``text`` says the trouble is: every body part its location words may mean, and those a word
        is the very name of (胃 in 胃胀; not 心口 or 肚子), both sorted; None when it names no place. The
        longest word is read first, each place once (右上腹 is not also 上腹)."""
        parts: set[str] = set()
        named: set[str] = set()
        for word in sorted(self.parts, key=lambda w: (-len(w), w)):
            if word in text:
                parts.update(self.parts[word])
                if word in self.parts[word]:
                    named.add(word)
                text = text.replace(word, "\0")
        return Located(tuple(sorted(parts)), tuple(sorted(named))) if parts else None
