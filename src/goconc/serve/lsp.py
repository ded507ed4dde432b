"""`goconc lsp`: goconc check in the editor, as a language server (pygls, stdio).

    didOpen / didSave  the file's whole package (its directory) is analysed again, the results
                       cache used, the configuration of the nearest .goconc.toml applied; the
                       findings are published for every file of the package (and cleared from
                       those that no longer have any), with their related locations
    codeAction         the fixes of the findings under the cursor, as quick fixes (safe ones
                       preferred); none while the buffer differs from what was analysed
    hover              the rule's documentation for a finding under the cursor

Positions: goconc counts columns in bytes (as go/token), LSP in UTF-16 code units by default;
`Text` converts with the file's own bytes. The protocol owns stdout: fd 1 is pointed at stderr
before serving, so nothing else can write into the stream.
"""

from __future__ import annotations

import asyncio
import bisect
import os
import sys

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from goconc import __version__
from goconc.model import Applicability, Diagnostic, Severity

_SEVERITY = {Severity.ERROR: T.DiagnosticSeverity.Error, Severity.WARNING: T.DiagnosticSeverity.Warning,
             Severity.INFO: T.DiagnosticSeverity.Information}


class Text:
    """A file's bytes, for turning goconc's byte positions into LSP positions in the encoding
    the client and server agreed on (utf-16 unless the client offered another)."""

    def __init__(self, data: bytes, encoding: str = "utf-16") -> None:
        self.data = data
        self.encoding = encoding
        self.starts = [0] + [i + 1 for i, b in enumerate(data) if b == 0x0A]

    def _char(self, line: int, byte_col: int) -> int:
        """Code units (of the agreed encoding) before byte `byte_col` (0-based) of 0-based `line`."""
        start = self.starts[line] if line < len(self.starts) else len(self.data)
        prefix = self.data[start:start + byte_col]
        if self.encoding == "utf-8":
            return len(prefix)
        text = prefix.decode("utf-8", "replace")
        return len(text) if self.encoding == "utf-32" else len(text.encode("utf-16-le")) // 2

    def position(self, line1: int, col1: int) -> T.Position:
        line = max(line1 - 1, 0)
        return T.Position(line=line, character=self._char(line, max(col1 - 1, 0)))

    def at_offset(self, offset: int) -> T.Position:
        line = bisect.bisect_right(self.starts, offset) - 1
        return T.Position(line=line, character=self._char(line, offset - self.starts[line]))


def _read(path: str) -> bytes | None:
    from goconc.loader import read_regular
    from goconc.source import MAX_FILE_SIZE

    try:
        return read_regular(path, MAX_FILE_SIZE)
    except (OSError, ValueError):
        return None


def _path(uri: str) -> str | None:
    """The file a URI names, normalised: the key of everything the server keeps (a client may
    escape `@` or `+` differently from pygls, so URIs themselves are not compared)."""
    p = to_fs_path(uri)
    return os.path.realpath(p) if p else None


class GoconcServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("goconc", __version__)
        self.published: dict[str, set[str]] = {}  # package directory -> paths with findings
        self.findings: dict[str, list[tuple[Diagnostic, T.Diagnostic]]] = {}  # path -> findings
        self.analysed: dict[str, bytes] = {}  # path -> the bytes its findings are for
        self.uris: dict[str, str] = {}  # path -> the URI the client used for it
        self.locks: dict[str, asyncio.Lock] = {}

    @property
    def encoding(self) -> str:
        enc = getattr(self.workspace, "position_encoding", None) or "utf-16"
        return str(getattr(enc, "value", enc))

    def uri(self, path: str) -> str:
        return self.uris.get(path) or from_fs_path(path)

    def text(self, texts: dict[str, Text | None], path: str) -> Text | None:
        if path not in texts:
            data = _read(path)
            texts[path] = Text(data, self.encoding) if data is not None else None
        return texts[path]

    def lsp_range(self, texts: dict[str, Text | None], path: str, span) -> T.Range:
        text = self.text(texts, path)
        if text is None:
            return T.Range(T.Position(span.start.line - 1, 0), T.Position(span.end.line - 1, 0))
        return T.Range(text.position(span.start.line, span.start.column), text.position(span.end.line, span.end.column))

    def to_lsp(self, d: Diagnostic, texts: dict) -> T.Diagnostic:
        path = os.path.realpath(d.span.path)
        related = [T.DiagnosticRelatedInformation(
            location=T.Location(uri=self.uri(os.path.realpath(r.span.path)),
                                range=self.lsp_range(texts, os.path.realpath(r.span.path), r.span)),
            message=r.message) for r in d.related]
        return T.Diagnostic(range=self.lsp_range(texts, path, d.span), message=d.message,
                            severity=_SEVERITY.get(d.severity, T.DiagnosticSeverity.Warning), code=d.code,
                            source="goconc", related_information=related or None)

    async def analyse(self, uri: str) -> None:
        path = _path(uri)
        if path is None or not path.endswith(".go"):
            return
        self.uris[path] = uri
        directory = os.path.dirname(path)
        lock = self.locks.setdefault(directory, asyncio.Lock())
        async with lock:  # one analysis of a package at a time; saves queue behind it
            result, error = await asyncio.to_thread(_check, directory)
            if error:
                self.window_show_message(T.ShowMessageParams(type=T.MessageType.Error, message=f"goconc: {error}"))
                return  # the findings shown stay as they were: a broken configuration is not "no findings"
            by_path: dict[str, list] = {}
            texts: dict[str, Text | None] = {}
            for d in result.diagnostics if result is not None else ():
                file = os.path.realpath(d.span.path)
                by_path.setdefault(file, []).append((d, self.to_lsp(d, texts)))
            before = self.published.get(directory, set())
            for file in sorted(before | set(by_path) | {path}):
                found = by_path.get(file, [])
                self.findings[file] = found
                text = texts.get(file)
                self.analysed[file] = text.data if text is not None else _read(file) or b""
                self.text_document_publish_diagnostics(
                    T.PublishDiagnosticsParams(uri=self.uri(file), diagnostics=[x for _, x in found]))
            self.published[directory] = set(by_path)

    def current(self, uri: str) -> bool:
        """Whether the editor's text of the document is what its findings were computed for."""
        try:
            doc = self.workspace.get_text_document(uri)
            return doc.source.encode("utf-8") == self.analysed.get(_path(uri) or "")
        except Exception:  # noqa: BLE001 - a document the workspace does not know
            return False


def _check(directory: str):
    """goconc check of one package directory, as the CLI runs it (configuration, cache):
    (result, "") or (None, why it could not run). No Go file left (the last one deleted):
    (None, ""), so what was shown is cleared."""
    from goconc.config import CheckRun, ConfigError, UsageProblem

    from goconc.loader import package_files

    files = package_files(directory)
    if not files:
        return None, ""
    try:
        setup = CheckRun(files, [], [], 1)
        return setup.finish(setup.analyse(cache=True)), ""
    except (ConfigError, UsageProblem) as exc:
        return None, str(exc)


def _contains(r: T.Range, p: T.Position) -> bool:
    return (r.start.line, r.start.character) <= (p.line, p.character) <= (r.end.line, r.end.character)


def _overlaps(a: T.Range, b: T.Range) -> bool:
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and \
        (b.start.line, b.start.character) <= (a.end.line, a.end.character)


def build() -> GoconcServer:
    server = GoconcServer()

    @server.feature(T.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: GoconcServer, params: T.DidOpenTextDocumentParams) -> None:
        await ls.analyse(params.text_document.uri)

    @server.feature(T.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: GoconcServer, params: T.DidSaveTextDocumentParams) -> None:
        await ls.analyse(params.text_document.uri)

    @server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: GoconcServer, params: T.DidCloseTextDocumentParams) -> None:
        pass  # the findings stay: they are the package's, not the buffer's

    @server.feature(T.TEXT_DOCUMENT_CODE_ACTION,
                    T.CodeActionOptions(code_action_kinds=[T.CodeActionKind.QuickFix]))
    def code_action(ls: GoconcServer, params: T.CodeActionParams) -> list[T.CodeAction]:
        uri = params.text_document.uri
        if not ls.current(uri):
            return []  # edited since the analysis: the fixes' offsets no longer fit
        actions = []
        texts: dict[str, Text] = {}
        for d, lsp_d in ls.findings.get(_path(uri) or "", []):
            if not _overlaps(lsp_d.range, params.range):
                continue
            for fix in d.fixes:
                if fix.applicability is Applicability.DISPLAY_ONLY:
                    continue  # shown in the message, never applied
                changes: dict[str, list[T.TextEdit]] = {}
                for e in fix.edits:
                    path = os.path.realpath(e.path)
                    if path not in texts:
                        texts[path] = Text(ls.analysed.get(path) or _read(path) or b"", ls.encoding)
                    t = texts[path]
                    new = e.new
                    if b"\r\n" in t.data:  # keep the file's line endings
                        new = new.replace("\r\n", "\n").replace("\n", "\r\n")
                    changes.setdefault(ls.uri(path), []).append(
                        T.TextEdit(range=T.Range(t.at_offset(e.start), t.at_offset(e.end)), new_text=new))
                safe = fix.applicability is Applicability.SAFE
                title = f"{fix.title} ({d.code})" + ("" if safe else " [unsafe: may change behaviour]")
                actions.append(T.CodeAction(title=title, kind=T.CodeActionKind.QuickFix, diagnostics=[lsp_d],
                                            is_preferred=safe, edit=T.WorkspaceEdit(changes=changes)))
        return actions

    @server.feature(T.TEXT_DOCUMENT_HOVER)
    def hover(ls: GoconcServer, params: T.HoverParams) -> T.Hover | None:
        from goconc.docs import render_rule
        from goconc.registry import find

        parts, seen = [], set()
        if not ls.current(params.text_document.uri):
            return None  # edited since the analysis: the ranges no longer fit
        for d, lsp_d in ls.findings.get(_path(params.text_document.uri) or "", []):
            if not _contains(lsp_d.range, params.position) or d.code in seen:
                continue
            seen.add(d.code)
            rule = find(d.code)
            parts.append(f"**{d.code}** {d.message}\n\n" + (render_rule(rule) if rule else ""))
        if not parts:
            return None
        return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown, value="\n---\n".join(parts)))

    return server


def serve() -> None:
    """Serve over stdio until the client says exit."""
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # stray writes (ours or a library's) go to stderr, not into the protocol
    sys.stdout = sys.stderr
    build().start_io(sys.stdin.buffer, out)
