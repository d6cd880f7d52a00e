"""What kind of file an upload really is, read from its bytes and never from its name.

The evidence store keeps documents, spreadsheets, slides, images and plain text. Anything
else (programs, archives, web pages, scripts) is refused, whatever its name says: an `.exe`
renamed `report.pdf` is still a program, and a Word file named `scan.pdf` is stored as the
Word file it is (with its name corrected to `scan.docx`).
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

#: Bytes read from the start of a file to recognise it.
HEAD_BYTES = 8192
#: At most this much of `[Content_Types].xml` or `mimetype` is read from an Office file.
PART_BYTES = 256 * 1024
#: An Office file may not declare more entries than this (a sign of a crafted archive).
MAX_ZIP_ENTRIES = 10_000


@dataclass(frozen=True)
class FileType:
    """An allowed kind of file: its media type, its usual extension, and the other
    extensions people give it."""

    content_type: str
    extension: str
    label: str
    also: tuple[str, ...] = ()

    def keeps(self, extension: str) -> bool:
        """True when a name ending in `extension` already says this type."""
        return extension.lower() in (self.extension, *self.also)


PDF = FileType("application/pdf", ".pdf", "PDF")
PNG = FileType("image/png", ".png", "PNG image")
JPEG = FileType("image/jpeg", ".jpg", "JPEG image", (".jpeg", ".jpe"))
GIF = FileType("image/gif", ".gif", "GIF image")
WEBP = FileType("image/webp", ".webp", "WebP image")
TIFF = FileType("image/tiff", ".tif", "TIFF image", (".tiff",))
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
    "Word document",
)
XLSX = FileType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "Excel workbook"
)
PPTX = FileType(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".pptx",
    "PowerPoint presentation",
)
ODT = FileType("application/vnd.oasis.opendocument.text", ".odt", "OpenDocument text")
ODS = FileType("application/vnd.oasis.opendocument.spreadsheet", ".ods", "OpenDocument spreadsheet")
TEXT = FileType("text/plain", ".txt", "text", (".text", ".log"))
CSV = FileType("text/csv", ".csv", "CSV table", (".tsv",))
MARKDOWN = FileType("text/markdown", ".md", "Markdown text", (".markdown",))

ALLOWED: tuple[FileType, ...] = (
    PDF,
    PNG,
    JPEG,
    GIF,
    WEBP,
    TIFF,
    DOCX,
    XLSX,
    PPTX,
    ODT,
    ODS,
    TEXT,
    CSV,
    MARKDOWN,
)
ALLOWED_SUMMARY = (
    "PDF, PNG, JPEG, GIF, WebP, TIFF, Word, Excel, PowerPoint, OpenDocument text or "
    "spreadsheet, plain text, CSV or Markdown"
)

#: The main part an Office Open XML package declares, and the type it makes the file.
_OOXML_MAIN_PARTS = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
_ODF_MIMETYPES = {ODT.content_type.encode(): ODT, ODS.content_type.encode(): ODS}

#: Recognised but refused, so the refusal can say what the file is.
_REFUSED_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a Java class or macOS program"),
    (b"#!", "a script"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Office file (save it as DOCX or XLSX)"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"%!PS", "a PostScript file"),
)
#: Text that a browser would run or render as a page: refused even though it is text.
_MARKUP = re.compile(
    rb"^\s*<(?:!doctype\s+html|html|head|body|script|svg|iframe|object|embed|\?xml|!--)",
    re.IGNORECASE,
)
_ACTIVE = re.compile(rb"<\s*(?:script|iframe|object|embed)\b", re.IGNORECASE)


class Refused(Exception):
    """The content is not of an allowed type; the message says what it is, in plain words."""


class TextSniffer:
    """Watches the chunks of a file go by and says whether the whole is UTF-8 text without NUL
    characters (so text is recognised without holding the file in memory)."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.is_text = True

    def feed(self, chunk: bytes) -> None:
        if not self.is_text:
            return
        if b"\x00" in chunk:
            self.is_text = False
            return
        try:
            self._decoder.decode(chunk)
        except UnicodeDecodeError:
            self.is_text = False

    def finish(self) -> bool:
        if self.is_text:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.is_text = False
        return self.is_text


def _zip_type(file: BinaryIO, size_limit: int) -> FileType:
    """The Office or OpenDocument type of a ZIP package, or Refused."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise Refused(f"it is an archive of {len(entries)} files")
            # The declared sizes are all we look at: nothing is expanded beyond one small part.
            expanded = sum(e.file_size for e in entries)
            if expanded > size_limit:
                raise Refused(
                    f"it is an archive that expands to {expanded // (1024 * 1024)} MB "
                    "(a compressed bomb, or a package too large to open safely)"
                )
            names = {e.filename for e in entries}
            if "mimetype" in names:
                with archive.open("mimetype") as part:
                    found = _ODF_MIMETYPES.get(part.read(PART_BYTES).strip())
                if found:
                    return found
            if "[Content_Types].xml" in names:
                with archive.open("[Content_Types].xml") as part:
                    types = part.read(PART_BYTES)
                for main_part, found in _OOXML_MAIN_PARTS.items():
                    if b'"' + main_part + b'"' in types:
                        return found
                raise Refused(
                    "it is an Office file of a kind not accepted (macro-enabled or a template)"
                )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError) as exc:
        raise Refused("it is a damaged ZIP archive") from exc
    raise Refused("it is a ZIP archive (upload the files it holds instead)")


def detect(
    head: bytes, file: BinaryIO, *, is_text: bool, name: str, expanded_limit: int
) -> FileType:
    """The allowed type of a file from its first bytes (`head`), the whole file (`file`,
    seekable, read again only for ZIP-based formats), and whether all of it is UTF-8 text.

    `name` only chooses between text flavours (CSV, Markdown, plain); `expanded_limit` caps
    what an Office package may declare it expands to. Raises Refused with a plain-words reason.
    """
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _zip_type(file, expanded_limit)
    for signature, what in _REFUSED_SIGNATURES:
        if head.startswith(signature):
            raise Refused(f"it is {what}")
    if is_text:
        body = head.removeprefix(codecs.BOM_UTF8)
        if _MARKUP.match(body) or _ACTIVE.search(body):
            raise Refused("it is a web page or markup with active content (HTML, SVG, XML)")
        extension = _extension(name)
        for flavour in (CSV, MARKDOWN):
            if flavour.keeps(extension):
                return flavour
        return TEXT
    raise Refused("its content is of an unknown or unsupported kind")


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def with_extension(name: str, filetype: FileType) -> str:
    """`name` ending in an extension that says `filetype` (the stem kept, the extension
    replaced when it says something else)."""
    extension = _extension(name)
    if filetype.keeps(extension):
        return name
    stem = name[: -len(extension)] if extension else name
    return f"{stem}{filetype.extension}"
