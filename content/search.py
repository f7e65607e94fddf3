"""Finding techniques by what a user typed: any name or alias in any language, or a close
spelling (/technique and /session's argument, and inline mode's query)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from content.loader import Content, Technique


def find_technique(
    content: Content, query: str, others: Iterable[Content] = ()
) -> Technique | None:
    """Return the technique a user named, allowing any case and close misspellings, in
    ``content``'s language: a name in one of the ``others`` languages (按压 from an English
    app, "pushing" from a Chinese one) finds it too, an exact name in any language before a
    close spelling in any."""
    wanted = " ".join(query.lower().split())
    if not wanted:
        return None
    names: dict[str, str] = {}  # every name and alias, to its technique's id
    for each in (content, *(c for c in others if c is not content)):
        for technique in each.techniques:
            for name in (technique.id, technique.name.lower(), *technique.aliases):
                names.setdefault(name.lower(), technique.id)
    found = names.get(wanted)
    if found is None:
        close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.7)
        found = names[close[0]] if close else None
    return content.technique(found) if found is not None else None


def inline_matches(
    contents: Mapping[str, Content], query: str, language: str, *, chosen: bool = False
) -> list[tuple[Content, Technique]]:
    """The techniques an inline query names, in card order, each in the language it was
    named in: the language whose own name for it the query is part of (揉 finds 揉法 in
    Chinese even from an English app), else ``language``; always ``language`` when the
    user ``chosen`` it with /language. For an empty query, or one that names none, all of
    them in ``language``."""
    own = contents[language]
    wanted = " ".join(query.lower().split())
    by_name: dict[str, list[Content]] = {}  # the query is part of its name there
    by_alias: dict[str, list[Content]] = {}  # an alias, or a close spelling
    if wanted:
        for content in (own, *(c for c in contents.values() if c is not own)):
            close = find_technique(content, wanted)
            for technique in content.techniques:
                name = technique.name.lower()
                aliases = (technique.id, *technique.aliases)
                if wanted in name or name in wanted:
                    by_name.setdefault(technique.id, []).append(content)
                elif technique is close or any(wanted in a or a in wanted for a in aliases):
                    by_alias.setdefault(technique.id, []).append(content)
    matches = []
    for technique in own.techniques:
        found = by_name.get(technique.id) or by_alias.get(technique.id)
        if not (by_name or by_alias):
            found = [own]  # nothing named: offer everything
        if not found:
            continue
        content = own if chosen else found[0]  # ``own`` first when it matched at all
        named = content.technique(technique.id)
        assert named is not None  # every language has the same techniques
        matches.append((content, named))
    return matches
