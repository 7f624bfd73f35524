"""A person's text where it meets Markdown (Streamlit renders Markdown in st.markdown, captions,
messages, labels and st.table cells; the minutes are Markdown): it never becomes an image, a
link to anything but a web or mail address, raw HTML or a heading, and a web address in it
still shows and links as itself."""

import re

from markdown_it import MarkdownIt

SCHEMES = ("http://", "https://", "mailto:")
# An address as a person writes it, up to a space or an angle bracket; what closes a sentence
# after it is not part of it.
ADDRESS = re.compile(r"(?:https?://|mailto:)[^\s<>\"'`\\]+", re.IGNORECASE)
TRAILING = ".,;:!?*_~"
# Marks that mean something anywhere in a line (emphasis, code, links, images, HTML,
# entities, headings, tables, strikethrough, Streamlit's :colour[...] and LaTeX), and those
# that do only where a line starts (lists, rules, setext headings, numbered lists). Escaped
# means literal in CommonMark; the rest (commas, full stops, quotes) are left readable.
ANYWHERE = re.compile(r"([\\`*_{}\[\]<>()#!|~$]|&(?=#?\w+;))")
LINE_START = re.compile(r"^([ \t]*)([-+=]|\d+\.)", re.MULTILINE)

_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def plain(text: str | None) -> str:
    """``text`` as Markdown that shows exactly it: every mark that would act escaped, and each
    web or mail address an autolink (``<https://...>``) that shows and opens itself."""
    if not text:
        return ""
    out, start = [], 0
    for found in ADDRESS.finditer(text):
        address = _trimmed(found.group())
        if address.rstrip("/").lower() in {"http:", "https:", "mailto:"}:
            continue  # a scheme alone is no address
        out.append(_escaped(text[start : found.start()]))
        out.append(f"<{address}>")
        start = found.start() + len(address)
    out.append(_escaped(text[start:]))
    return "".join(out)


def authored(text: str | None) -> str:
    """Markdown a person wrote (the minutes): its headings, emphasis, lists and tables kept,
    its web and mail links kept; images, raw HTML and links to anything else shown as the
    text that was typed. What the disarming cannot vouch for is shown escaped throughout."""
    if not text:
        return ""
    disarmed = _disarm(text)
    return disarmed if safe(disarmed) else plain(text)


def safe(markdown: str) -> bool:
    """Renders with no image, no raw HTML and no link but to a web or mail address."""
    for block in _PARSER.parse(markdown):
        if block.type == "html_block":
            return False
        for token in block.children or []:
            if token.type in ("image", "html_inline"):
                return False
            if token.type == "link_open" and not _allowed(token.attrGet("href") or ""):
                return False
    return True


def _allowed(href: str) -> bool:
    return href.lower().startswith(SCHEMES)


def _trimmed(address: str) -> str:
    address = address.rstrip(TRAILING)
    # A closing bracket belongs to the address only if the address opened one.
    while address[-1:] in ")]}" and address.count(address[-1]) > address.count(
        {")": "(", "]": "[", "}": "{"}[address[-1]]
    ):
        address = address[:-1].rstrip(TRAILING)
    return address


def _escaped(text: str) -> str:
    text = ANYWHERE.sub(r"\\\1", text)
    return LINE_START.sub(lambda m: m.group(1) + _line_mark(m.group(2)), text)


def _line_mark(mark: str) -> str:
    return mark[:-1] + "\\" + mark[-1] if mark.endswith(".") else "\\" + mark


INLINE_LINK = re.compile(r"\]\(\s*<?([^)\s>]*)")
DEFINITION = re.compile(r"^( {0,3})\[([^\]]*)\]:\s*<?(\S*)", re.MULTILINE)
ANGLE = re.compile(r"<(?!(?:https?://|mailto:)[^\s<>]*>)", re.IGNORECASE)


def _disarm(text: str) -> str:
    text = text.replace("![", "!\\[")  # every image starts so
    text = ANGLE.sub(r"\\<", text)  # raw HTML, and autolinks to other schemes
    text = INLINE_LINK.sub(
        lambda m: m.group() if _allowed(m.group(1)) else "]\\(" + m.group()[2:], text
    )
    return DEFINITION.sub(
        lambda m: (
            m.group()
            if _allowed(m.group(3))
            else f"{m.group(1)}\\[{m.group()[len(m.group(1)) + 1 :]}"
        ),
        text,
    )
