"""Crawl every page a role can reach, and find English or internal codes in what it shows.

`crawl(client)` starts at the home page and follows every same-site link breadth-first:
`<a href>` and the GET forms (submitted as they stand, and once per option of each of their
selects, which is how the year pickers are reached). It is bounded: at most `per_pattern`
pages per URL pattern (the view's name and the query's keys), picked with a fixed seed, and
each download (Word, Excel) once per pattern. It skips what a link cannot do: logging out
(POST only), switching the language (POST only), static files and the API (its own docs).

`latin_words(text)` lists the Latin words of a text outside a short allowlist: the product
names people use in Chinese too (Excel, Word, API …), file extensions, and identifiers that
are not words (2026-0001, SHA-256). `visible_text(html)` is what a person reads on a page:
no tags, scripts, styles, attribute values or <code> (hashes and ids), and nothing marked
as another language (`lang="en"`, the language switch's "English").
"""

from __future__ import annotations

import io
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.urls import Resolver404, resolve

SKIP_PREFIXES = (
    "/logout/", "/i18n/", "/static/", "/api/", "/favicon.ico",
)

# Words people use untranslated in Chinese offices, and units. Everything else in Latin
# letters is either English that escaped translation or an internal code.
ALLOWED_WORDS = {
    "API", "OpenAPI", "Excel", "Word", "PDF", "CSV", "ID", "htmx", "SHA", "Bearer",
    "km", "kg", "px", "KB", "MB", "GB",
}
# A file extension; a code in capitals (a unit's code such as JYJ, a result grade A–D).
_ALLOWED_RE = re.compile(r"\.(docx|xlsx|xls|csv|yaml)|[A-Z]+")
# A word starts with a letter that follows no letter or digit: the X of an ID number
# (11010119900307123X) and the F of F2025-12-0 belong to identifiers, not words.
_WORD_RE = re.compile(r"(?<![A-Za-z0-9_])\.?[A-Za-z][A-Za-z0-9]*(?:[_.:/-][A-Za-z0-9]+)*")


def latin_words(text: str) -> list[str]:
    """The Latin words of `text` that are not on the allowlist, in order, once each."""
    found: list[str] = []
    for match in _WORD_RE.finditer(text):
        word = match.group(0)
        if _ALLOWED_RE.fullmatch(word):
            continue
        bare = word.lstrip(".")
        if bare in ALLOWED_WORDS or all(part in ALLOWED_WORDS or not part.isalpha()
                                        for part in re.split(r"[-_.:/]", bare) if part):
            continue
        if word not in found:
            found.append(word)
    return found


class _TextParser(HTMLParser):
    SKIP = {"script", "style", "code", "template", "svg"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[bool] = []  # per open element: is its content skipped

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        lang = dict(attrs).get("lang")
        skipped = (tag in self.SKIP or (lang is not None and not lang.startswith("zh"))
                   or bool(self.stack and self.stack[-1]))
        self.stack.append(skipped)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


class _LinkParser(HTMLParser):
    """`<a href>` targets and GET forms with their fields."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            method = (a.get("method") or "get").lower()
            self._form = ({"action": a.get("action") or "", "fields": [], "selects": []}
                          if method == "get" else None)
        elif self._form is not None and tag in {"input", "select"} and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if tag == "select":
                self._select = {"name": a["name"], "options": [], "selected": None}
                self._form["selects"].append(self._select)
            elif kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self._form["fields"].append((a["name"], a.get("value", "on")))
            elif kind not in {"submit", "button", "file", "reset"}:
                self._form["fields"].append((a["name"], a.get("value", "")))
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select["options"].append(value)
            if "selected" in a:
                self._select["selected"] = value

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def _form_urls(form: dict) -> list[str]:
    def value(select):
        if select["selected"] is not None:
            return select["selected"]
        return select["options"][0] if select["options"] else ""

    base = [(k, v) for k, v in form["fields"] if v != ""]
    chosen = {s["name"]: value(s) for s in form["selects"]}
    queries = [base + [(k, v) for k, v in chosen.items() if v != ""]]
    for select in form["selects"]:
        for option in select["options"]:
            other = {**chosen, select["name"]: option}
            queries.append(base + [(k, v) for k, v in other.items() if v != ""])
    return [form["action"] + "?" + urlencode(q) for q in queries]


def links_of(html: str, page_url: str) -> list[str]:
    """Same-site paths (with query, without fragment) that `html` links to."""
    parser = _LinkParser()
    parser.feed(html)
    parser.close()
    found = []
    for target in parser.links + [u for f in parser.forms for u in _form_urls(f)]:
        url = urlsplit(urljoin("http://testserver" + page_url, target))
        if url.scheme not in {"http", "https"} or url.netloc != "testserver":
            continue
        path = url.path + (f"?{url.query}" if url.query else "")
        if not path.startswith(SKIP_PREFIXES):
            found.append(path)
    return found


def pattern_of(path: str) -> str:
    """The URL pattern a path belongs to: its view's name and the query's keys."""
    url = urlsplit(path)
    try:
        name = resolve(url.path).view_name
    except Resolver404:
        name = f"unresolved:{url.path}"
    keys = sorted({k for k, _ in parse_qsl(url.query, keep_blank_values=True)})
    return name + ("?" + "&".join(keys) if keys else "")


DOWNLOAD_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


def docx_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(parts)


def xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    parts = []
    for sheet in book.worksheets:
        parts.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            parts += [str(v) for v in row if isinstance(v, str)]
    return "\n".join(parts)


@dataclass
class Crawl:
    """What one role's crawl saw: every page fetched, with its problems."""

    pages: dict[str, int] = field(default_factory=dict)  # path → status
    downloads: dict[str, str] = field(default_factory=dict)  # path → docx/xlsx
    errors: list[str] = field(default_factory=list)  # path: status
    words: dict[str, list[str]] = field(default_factory=dict)  # path → Latin words
    by_pattern: dict[str, list[str]] = field(default_factory=dict)  # pattern → paths

    def report(self, role: str) -> str:
        lines = [f"{role}: {e}" for e in self.errors]
        lines += [f"{role}: {path}: {', '.join(words)}" for path, words in self.words.items()]
        return "\n".join(lines)


def crawl(client, *, start: str = "/", per_pattern: int = 2, per_view: int = 4,
          seed: int = 10, max_pages: int = 400, headers: dict | None = None) -> Crawl:
    """Breadth-first from `start` as `client`'s user; see the module docstring.

    A pattern is a view with a set of query keys; a view's filter combinations make many
    patterns, so each view also gets at most `per_view` pages, and each download (a view
    and its `format`) one."""
    rng = random.Random(seed)  # noqa: S311 - sampling pages, not secrets
    result = Crawl()
    taken: dict[str, list[str]] = defaultdict(list)
    per_view_taken: dict[str, int] = defaultdict(int)
    downloads: set[str] = set()
    seen: set[str] = {start}
    level = [start]
    while level and len(result.pages) < max_pages:
        following: list[str] = []
        for path in level:
            if len(result.pages) >= max_pages:
                break
            following += _fetch(client, path, result, headers or {})
            if path in result.downloads:
                downloads.add(_download_key(path))
        # The next level: new paths, sampled within the bounds.
        candidates: dict[str, list[str]] = defaultdict(list)
        for path in dict.fromkeys(following):
            if path not in seen:
                seen.add(path)
                candidates[pattern_of(path)].append(path)
        level = []
        for pattern in sorted(candidates):
            paths = sorted(candidates[pattern])
            rng.shuffle(paths)
            for path in paths:
                view, key = pattern.split("?")[0], _download_key(path)
                if key in downloads or len(taken[pattern]) >= per_pattern \
                        or per_view_taken[view] >= per_view:
                    continue
                if _looks_like_download(path):
                    downloads.add(key)
                taken[pattern].append(path)
                per_view_taken[view] += 1
                level.append(path)
    result.by_pattern = {pattern: paths for pattern, paths in taken.items() if paths}
    result.by_pattern.setdefault(pattern_of(start), [start])
    return result


def _download_key(path: str) -> str:
    """A view, its non-numeric arguments (an export's kind) and the query's format: the
    downloads that differ in more than whose data they hold."""
    url = urlsplit(path)
    fmt = dict(parse_qsl(url.query)).get("format", "")
    try:
        match = resolve(url.path)
    except Resolver404:
        return url.path
    words = sorted(f"{k}={v}" for k, v in match.kwargs.items() if not isinstance(v, int))
    return ":".join([match.view_name, *words, fmt])


def _looks_like_download(path: str) -> bool:
    url = urlsplit(path)
    return url.path.endswith((".docx", ".xlsx")) or "format" in dict(parse_qsl(url.query))


def _fetch(client, path: str, result: Crawl, headers: dict) -> list[str]:
    response = client.get(path, **headers)
    result.pages[path] = response.status_code
    if response.status_code >= 300 and response.status_code < 400:
        location = response.headers.get("Location", "")
        return [p for p in links_of(f'<a href="{location}"></a>', path)]
    if response.status_code >= 400:
        result.errors.append(f"{path}: {response.status_code}")
        return []
    content_type = response.headers.get("Content-Type", "").split(";")[0]
    kind = DOWNLOAD_TYPES.get(content_type)
    if kind is not None:
        result.downloads[path] = kind
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = docx_text(body) if kind == "docx" else xlsx_text(body)
        words = latin_words(text)
        if words:
            result.words[path] = words
        return []
    if content_type != "text/html":
        return []
    html = response.content.decode()
    words = latin_words(visible_text(html))
    if words:
        result.words[path] = words
    return links_of(html, path)
