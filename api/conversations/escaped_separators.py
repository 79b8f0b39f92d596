r"""Read escaped separators (``%20``, ``&nbsp;``, ``\u00a0``) and digits (``%34``, ``&#52;``) as what they stand for.

A resident may paste a link or a snippet of a web page: ``https://pay.example/?card=4111%201111%201111%201111``.
Read literally, the ``20`` of each ``%20`` is two more digits, the groups no longer look like a card number and
the number would be kept. So before card numbers are looked for, every escape that stands for separators is
replaced by those separators, padded with zero-width spaces to the escape's length: offsets in the text stay
the same (what is hidden is cut out of the original text), and the padding is invisible to the grouping rules.

An HTML tag pasted with a web page (``<b>4111</b> <b>1111</b>``, ``4111<br>1111``) separates what is on either side
of it as a line break or a new cell does, so each tag is read as a space padded the same way; digits inside a
tag (``<h1>``, ``colspan="2"``) are never part of the text a resident sees.

A card number may also come with its digits escaped (``%34%31%31%31...``, ``&#52;&#49;...``, ``\u0034``), as a
form or a script posts it. Each escape that stands for a digit is replaced by the digit and the same padding, the
digit where the escape starts; ``escape_end`` tells how far the escape a digit came from runs, so what is cut out
ends after the escape, not in the middle of it.

A tag typed with spaces (``< br >``, ``< /td >``) or escaped itself (``&lt;br&gt;``) separates the same way.

Only escapes that stand for separators or digits are replaced. An escape of anything else (``%41``, ``&amp;``) is
left as typed, so its digits are read as before.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

PADDING = "\u200b"  # a zero-width space: a format character, which the grouping rules do not see
# Percent escapes (also twice encoded, %2520), HTML character references, and backslash escapes.
PERCENT = re.compile(r"(?:%(?:25)*[0-9A-Fa-f]{2})+")
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,30});")
BACKSLASH = re.compile(r"(?:\\(?:u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|[nrt]))+")
# An opening or closing HTML tag: a letter right after the angle bracket, so "5 < 6 and 7 > 4" is no tag; the
# tags that break a line or a cell also with spaces inside ("< br >", "< /td >"); and any tag escaped itself.
TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,200})?/?>")
SPACED_TAG = re.compile(r"<\s*/?\s*(?:br|p|div|td|th|tr|li|span|b|strong)\s*/?\s*>", re.IGNORECASE)
ESCAPED_TAG = re.compile(r"&lt;\s*/?\s*[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,200}?)?\s*/?\s*&gt;", re.IGNORECASE)
TAGS = (TAG, SPACED_TAG, ESCAPED_TAG)
ESCAPE_MARKS = frozenset("%&\\<")


def unescape_separators(text: str, is_separator: Callable[[str], bool]) -> str:
    """Return ``text``, as long, with each escape that stands for separators or digits replaced by them.

    ``is_separator`` is the card reader's own test, so an escape counts exactly when what it stands for would.
    Full-width percent and ampersand signs are read as their ASCII forms first.
    """
    folded = "".join(_fold(char) for char in text)
    if not ESCAPE_MARKS.intersection(folded):
        return text
    out = list(text)

    def stands_for(meant: str) -> bool:
        return bool(meant) and all((char.isascii() and char.isdigit()) or is_separator(char) for char in meant)

    for start, end, meant in _escapes(folded):
        if meant != folded[start:end] and stands_for(meant):
            out[start:end] = meant + PADDING * (end - start - len(meant))
    for pattern in TAGS:
        for match in pattern.finditer(folded):
            out[match.start() : match.end()] = " " + PADDING * (len(match.group()) - 1)
    return "".join(out)


def escape_end(typed: str, unescaped: str, end: int) -> int:
    """Return where the escape holding the character before ``end`` ends: past the padding put in its place."""
    while end < len(typed) and unescaped[end] == PADDING and typed[end] != PADDING:
        end += 1
    return end


def _escapes(folded: str) -> list[tuple[int, int, str]]:
    """Return each escape in the text as (start, end, what it stands for): one per character where each byte is one."""
    found = []
    for match in PERCENT.finditer(folded):
        pieces = list(re.finditer(r"%(?:25)*[0-9A-Fa-f]{2}", match.group()))
        meant = _percent(match.group())
        if len(meant) == len(pieces):
            found += [
                (match.start() + p.start(), match.start() + p.end(), char)
                for p, char in zip(pieces, meant, strict=True)
            ]
        else:  # a character of several bytes (%C2%A0, a no-break space): the run stands for its characters
            found.append((match.start(), match.end(), meant))
    found += [(m.start(), m.end(), html.unescape(m.group())) for m in ENTITY.finditer(folded)]
    for match in BACKSLASH.finditer(folded):
        found += [
            (match.start() + piece.start(), match.start() + piece.end(), _backslash(piece.group()))
            for piece in re.finditer(r"\\(?:u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|[nrt])", match.group())
        ]
    return found


def _fold(char: str) -> str:
    """Return the one character ``char`` stands for under NFKC (a full-width sign's ASCII one), or ``char``."""
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


def _percent(escaped: str) -> str:
    """Decode a run of percent escapes as UTF-8 (each ``%25`` before an escape is one more layer of encoding)."""
    raw = bytes(int(piece[-2:], 16) for piece in re.findall(r"%(?:25)*[0-9A-Fa-f]{2}", escaped))
    return raw.decode("utf-8", errors="replace")


def _backslash(escaped: str) -> str:
    r"""Decode ``\uXXXX``, ``\xXX``, ``\n``, ``\r`` and ``\t`` as a program's string would."""
    simple = {"n": "\n", "r": "\r", "t": "\t"}
    return "".join(
        simple.get(piece[1]) or chr(int(piece[2:], 16))
        for piece in re.findall(r"\\(?:u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|[nrt])", escaped)
    )
