"""Text files as offices save them, and CSV that Excel opens correctly. No Django imports.

Excel on Chinese Windows saves "CSV" in the ANSI code page (GBK, a subset of GB18030),
"CSV UTF-8" with a byte order mark, and "Unicode text" as UTF-16 with a byte order mark;
Notepad saves UTF-8 with or without one. `decode` reads all of these. Going the other way,
Excel opens a CSV file as UTF-8 only if it starts with a byte order mark: without one it
uses the ANSI code page and shows Chinese as mojibake, so every CSV we write starts with one.
"""

import codecs

#: What a CSV file we write starts with.
BOM = "\ufeff"


class UndecodableText(ValueError):
    """The bytes are text in none of the encodings tried; names where it goes wrong."""

    def __init__(self, line: int, offset: int, byte: int):
        self.line, self.offset, self.byte = line, offset, byte
        super().__init__(
            f"not readable as text: byte 0x{byte:02X} at offset {offset} is neither UTF-8 nor "
            f"GB18030. Save the file again as UTF-8 (Excel: “CSV UTF-8”) or as a Chinese "
            f"(GB18030/GBK) text file")

    def format(self, filename: str) -> str:
        return f"{filename}:{self.line}: {self}"


def _failure(data: bytes, offset: int) -> UndecodableText:
    return UndecodableText(data.count(b"\n", 0, offset) + 1, offset, data[offset])


def decode(data: bytes) -> str:
    """The text of a file's bytes: UTF-8 (with or without a byte order mark), UTF-16 with a
    byte order mark, else GB18030. Raises UndecodableText naming the line and byte offset."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")  # the codec reads and drops the byte order mark
        except UnicodeDecodeError as exc:
            raise _failure(data, exc.start) from None
    else:
        skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        try:
            text = data[skip:].decode("utf-8")
        except UnicodeDecodeError as utf8:
            try:
                text = data[skip:].decode("gb18030")
            except UnicodeDecodeError as gb:
                # The encoding that read further is the one the file most likely is in.
                raise _failure(data, skip + max(utf8.start, gb.start)) from None
    if "\0" in text:
        # A NUL is no character of a text file: binary data, or UTF-16 without its mark.
        raise _failure(data, data.find(b"\0") if b"\0" in data else 0)
    return text


def write_utf8(text: str, out) -> None:
    """Write `text` to the text stream `out` as UTF-8 bytes whatever the stream's own
    encoding (a redirected console on Chinese Windows is GBK, which has no BOM)."""
    encoding = (getattr(out, "encoding", None) or "utf-8").lower().replace("-", "")
    buffer = getattr(out, "buffer", None)
    if encoding in ("utf8", "utf_8") or buffer is None:
        out.write(text)
        return
    out.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()
