"""Code in a post, kept character for character as text before its HTML is parsed.

Technical blogs paste code as it is: ``<pre lang="xml"><init-param>…</pre>`` (WP-Syntax),
``<pre class="brush: php">`` (SyntaxHighlighter), ``[sourcecode language="python"]…[/sourcecode]``
and the language-named shortcodes (``[bash]``, ``[xml]``, …) of SyntaxHighlighter Evolved, which
WordPress.com runs, CodeColorer's ``[cc lang="php"]`` and ``[cce_php]``, and Gutenberg's code
and preformatted blocks.  An HTML parser would take
the raw XML for tags and drop it, and print the shortcodes as text.  So each piece of code is
taken out of the post first, its text worked out as the plugin or the browser showed it, and
a placeholder put in its place (inside ``<pre>`` for a block, ``<code>`` for a formula or code
set inline in a sentence); ``restore`` puts the text back, escaped, into the cleaned HTML.

The text of a ``<pre>``:

- *raw*, as WP-Syntax shows it, when the ``<pre>`` has a ``lang`` attribute or holds markup that
  is not HTML (``<init-param>``, ``<?php``, ``<!DOCTYPE``, a comment): every character as it is,
  entity references included (an editor's ``&lt;`` is decoded only when there is no raw markup);
- otherwise as a browser shows it: HTML's own tags are formatting (``<span>`` from a highlighter,
  ``<code>``, ``<strong>``; ``<br>`` and block tags end a line), entity references are decoded.

A code shortcode's text is its content with entity references decoded (the plugin stores
it encoded; CodeColorer only in its ``e`` mode); its delimiters never reach the book, nor do
those of one set inside a ``<pre>``.
``<code>`` outside a ``<pre>`` is left to the HTML parser unless it holds markup that is not
HTML; then its text is kept raw in the same way.
"""

from __future__ import annotations

import html
import re

from lxml.html import defs

# SyntaxHighlighter Evolved's shortcodes: sourcecode, source, code and its brush aliases (its own list; it leaves
# out 'r' as too short and 'latex', which WP LaTeX and Jetpack use for a formula: a formula is code set inline here)
SHORTCODES = ("sourcecode source code as3 actionscript3 arduino bash shell coldfusion cf clojure clj cpp c c-sharp "
              "csharp css delphi pas pascal diff patch erl erlang fsharp go golang groovy haskell java jfx javafx js "
              "jscript javascript tex matlab matlabkey objc obj-c perl pl php plain text ps powershell py python "
              "splus rails rb ror ruby ts typescript scala sql swift vb vbnet xml xhtml xslt html yaml yml latex").split()
_NAMES = "|".join(re.escape(n) for n in sorted(SHORTCODES, key=len, reverse=True))
SHORTCODE = re.compile(rf"\[({_NAMES})(?=[\s\]/])([^\]]*)\](.*?)\[/\1\]", re.S)
# CodeColorer's shortcodes, by its own pattern: [cc lang="php"], [cc_php], [cci] (inline), [cce] (its text entity-
# encoded), [ccnLe_java]: the letters before the '_' are its modes, and the closing tag repeats them
_CC_MODES = r"[^\s\]_]*(?:_[^\s\]]*)?"
CODECOLORER = re.compile(rf"\[cc({_CC_MODES})([^\]]*)\](.*?)\[/cc\1\]", re.S | re.I)
ESCAPED = re.compile(r"""\bescaped\s*=\s*["']?(?:true|on|1)\b""", re.I)  # CodeColorer's e mode, as an attribute
OPENING = re.compile(rf"<pre\b([^>]*)>|<code\b[^>]*>|\[({_NAMES})(?=[\s\]/])[^\]]*\]|\[cc{_CC_MODES}[^\]]*\]", re.I)
PRE_START = re.compile(r"<pre\b", re.I)
PRE_END = re.compile(r"</pre\s*>", re.I)
CODE_END = re.compile(r"</code\s*>", re.I)
MARKUP = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[!?][^>]*>|<(/?)([A-Za-z][\w:.-]*)(?:\s[^<>]*)?/?>", re.S)
ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9A-Fa-f]+);")
HTML_TAGS = frozenset(defs.tags) | {"main", "template", "picture", "data", "search", "slot"}
LINE_TAGS = frozenset(defs.block_tags) | {"br", "li", "tr", "section", "article", "header", "footer", "figure"}
WP_SYNTAX = re.compile(r"\blang\s*=", re.I)


class Code:
    """The pieces of code taken out of one post, and the placeholders standing for them."""

    def __init__(self, text: str):
        self.prefix = "bookforge-code-"
        while self.prefix in text:
            self.prefix += "x"
        self.texts: list[str] = []

    def extract(self, text: str) -> str:
        """``text`` with each piece of code replaced by a placeholder."""
        out, at = [], 0
        while (found := OPENING.search(text, at)) is not None:
            out.append(text[at:found.start()])
            at = found.end()
            if found.group(0)[1:4].lower() == "pre":
                end = PRE_END.search(text, at)
                inner = text[at:end.start()] if end else text[at:]
                at = end.end() if end else len(text)
                code = _pre_text(found.group(1), inner)
                out.append(f"<pre>{self._placeholder(code)}</pre>" if code.strip() else "")
            elif found.group(0)[0] == "<":
                end = CODE_END.search(text, at)
                inner = text[at:end.start()] if end else ""
                if end is None or PRE_START.search(inner) or not _raw(inner):  # <code><pre lang="java">: the pre is the code
                    out.append(found.group(0))
                    continue
                at = end.end()
                out.append(f"<code>{self._placeholder(_raw_text(inner))}</code>")
            else:
                shortcode = SHORTCODE.match(text, found.start()) or CODECOLORER.match(text, found.start())
                if shortcode is None:  # '[code omitted]' in a sentence: no closing tag, so text
                    out.append(found.group(0))
                    continue
                at = shortcode.end()
                out.append(self._shortcode(text, shortcode))
        out.append(text[at:])
        return "".join(out)

    def restore(self, cleaned: str, escape: bool = True) -> str:
        """The cleaned HTML with each placeholder replaced by its code, escaped (or, in plain text, as it is)."""
        if not self.texts:
            return cleaned
        return re.sub(rf"{re.escape(self.prefix)}(\d+)", lambda m: html.escape(self.texts[int(m.group(1))], quote=False)
                      if escape else self.texts[int(m.group(1))], cleaned)

    def _placeholder(self, code: str) -> str:
        self.texts.append(code)
        return f"{self.prefix}{len(self.texts) - 1}"

    def _shortcode(self, text: str, shortcode: re.Match) -> str:
        modes = "e" if shortcode.re is SHORTCODE or ESCAPED.search(shortcode.group(2)) else shortcode.group(1).split("_")[0]
        code = _lines(html.unescape(shortcode.group(3)) if "e" in modes else shortcode.group(3))
        if not code.strip():
            return ""
        line_start = text.rfind("\n", 0, shortcode.start()) + 1
        line_end = text.find("\n", shortcode.end())
        around = text[line_start:shortcode.start()] + text[shortcode.end():line_end if line_end >= 0 else len(text)]
        if "\n" not in code and (_plain(around) or "i" in modes):  # in a sentence: a formula, a command
            return f"<code>{self._placeholder(code)}</code>"
        return f"\n\n<pre>{self._placeholder(code)}</pre>\n\n"


def _pre_text(attributes: str, inner: str) -> str:
    inner = CODECOLORER.sub(lambda m: m.group(3), SHORTCODE.sub(lambda m: m.group(3), inner))  # [c]…[/c] in a <pre>: its delimiters go
    if WP_SYNTAX.search(attributes) or _raw(inner):
        return _raw_text(inner)
    pieces, at = [], 0
    for tag in MARKUP.finditer(inner):
        pieces.append(html.unescape(inner[at:tag.start()]))
        at = tag.end()
        if tag.group(2).lower() == "br":
            pieces.append("\n")
        elif tag.group(2).lower() in LINE_TAGS and pieces and not "".join(pieces[-2:]).endswith("\n"):
            pieces.append("\n")
    pieces.append(html.unescape(inner[at:]))
    return _lines("".join(pieces))


def _raw(inner: str) -> bool:
    """Does the text hold markup that is not HTML: a tag HTML does not know, a comment, a declaration?"""
    return any(tag.group(2) is None or tag.group(2).lower() not in HTML_TAGS for tag in MARKUP.finditer(inner))


def _raw_text(inner: str) -> str:
    has_markup = MARKUP.search(inner) is not None
    return _lines(inner if has_markup or not ENTITY.search(inner) else html.unescape(inner))


def _lines(code: str) -> str:
    """Line ends made '\\n', and the blank lines before and after the code left out."""
    code = code.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"^\s*\n|\n\s*$", "", code)


def _plain(fragment: str) -> str:
    return re.sub(r"<[^>]*>|&nbsp;|\s+", "", fragment)
