"""Word tokens for Chinese proposal text: jieba plus a CPPCC user dictionary and a stoplist.

jieba's dictionary ships inside its wheel, so this works offline. The tokenizer is built once,
on first use, under a lock: building the prefix dictionary takes about a second, and
concurrent first requests must not build it twice or see a half-loaded user dictionary.

Left to itself jieba caches the prefix dictionary in the shared temporary directory and
loads it back with `marshal`, so anyone who can write there can feed the process a crafted
file, and a read-only or private /tmp breaks it. Here the cache goes only into the directory
given to `configure` (the Django side passes one under the var directory), kept private to
the process's user; without one the dictionary is built in memory and nothing is written.
"""

import logging
import os
import stat
import threading
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path

import jieba

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_cache_dir: Path | None = None

# jieba logs "Building prefix dict ..." to stderr at DEBUG on every start.
jieba.setLogLevel(logging.WARNING)

# A user-dictionary word without a frequency gets this one: high enough that jieba keeps
# 提案委员会 whole inside 政协提案委员会, low enough not to swallow neighbouring words.
_DEFAULT_USER_FREQ = 20000


def _data_lines(name: str) -> list[str]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def configure(*, cache_dir: str | os.PathLike | None) -> None:
    """Where jieba may keep its prefix-dictionary cache (created owner-only), or None to
    build it in memory on every start. Takes effect for the next tokenizer built."""
    global _cache_dir
    with _lock:
        _cache_dir = Path(cache_dir) if cache_dir is not None else None


def _private_dir(path: Path) -> Path | None:
    """`path`, created owner-only if missing and made so if it is ours but open to others
    (a cache others can write to is one they can tamper with); None if it cannot be made or
    belongs to another user."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
        if hasattr(os, "getuid"):
            if info.st_uid != os.getuid():
                return None
            if stat.S_IMODE(info.st_mode) & 0o077:
                path.chmod(0o700)
    except OSError:
        return None
    return path


def _build() -> jieba.Tokenizer:
    tk = jieba.Tokenizer()
    cache_dir = _private_dir(_cache_dir) if _cache_dir is not None else None
    if cache_dir is None:
        # No private place for the cache: build in memory rather than let jieba fall back
        # to the shared temporary directory.
        tk.FREQ, tk.total = tk.gen_pfdict(tk.get_dict_file())
        tk.initialized = True
    else:
        tk.tmp_dir = str(cache_dir)
        # Versioned: jieba checks the cache's age only for non-default dictionaries.
        tk.cache_file = f"jieba-{jieba.__version__}.cache"
        tk.initialize()
    for line in _data_lines("userdict.txt"):
        parts = line.split()
        word = parts[0]
        freq = int(parts[1]) if len(parts) > 1 else _DEFAULT_USER_FREQ
        tk.add_word(word, freq)
    return tk


def _get_tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = _build()
    return _tokenizer


STOPWORD_GROUPS = ("function", "proposal")


@cache
def stopword_group(name: str) -> frozenset[str]:
    """One part of the stoplist: "function" (function words) or "proposal" (boilerplate)."""
    if name not in STOPWORD_GROUPS:
        raise ValueError(f"unknown stopword group {name!r}")
    lines = _data_lines(f"stopwords-{name}.txt")
    return frozenset(word for line in lines for word in line.split())


@cache
def stopwords() -> frozenset[str]:
    """The shipped stoplist: function words and proposal boilerplate (data/stopwords-*.txt)."""
    return frozenset().union(*(stopword_group(name) for name in STOPWORD_GROUPS))


def user_words() -> list[str]:
    """The CPPCC terms jieba is told to keep whole (data/userdict.txt)."""
    return [line.split()[0] for line in _data_lines("userdict.txt")]


def _is_content(token: str) -> bool:
    # Punctuation, symbols and numbers (2024, 38.6%, ２０２４) carry no topic; a token
    # survives only if it has a letter or a Chinese character in it.
    return any(ch.isalpha() for ch in token)


def raw_tokens(text: str) -> list[str]:
    """jieba's words for `text` after NFKC folding and lower-casing, nothing removed."""
    if not text or text.isspace():
        return []
    folded = unicodedata.normalize("NFKC", text).lower()
    return [t for t in _get_tokenizer().lcut(folded) if t.strip()]


def tokenize(text: str, *, stop: frozenset[str] | None = None) -> list[str]:
    """Content words of `text`, in order, repeats kept (BM25 counts them).

    Drops whitespace, punctuation, numbers and stopwords (`stop`, default the shipped list).
    """
    stop = stopwords() if stop is None else stop
    return [t for t in raw_tokens(text) if _is_content(t) and t not in stop]
