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
    """A file's bytes, for turning goconc's byte positions into LSP positions."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.starts = [0] + [i + 1 for i, b in enumerate(data) if b == 0x0A]

    def _char(self, line: int, byte_col: int) -> int:
        """UTF-16 units before byte `byte_col` (0-based) of 0-based `line`."""
        start = self.starts[line] if line < len(self.starts) else len(self.data)
        prefix = self.data[start:start + byte_col]
        return len(prefix.decode("utf-8", "replace").encode("utf-16-le")) // 2

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


class GoconcServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("goconc", __version__)
        self.published: dict[str, set[str]] = {}  # package directory -> URIs with findings
        self.findings: dict[str, list[tuple[Diagnostic, T.Diagnostic]]] = {}  # URI -> findings
        self.analysed: dict[str, bytes] = {}  # URI -> the bytes its findings are for
        self.locks: dict[str, asyncio.Lock] = {}

    def lsp_range(self, texts: dict[str, Text | None], path: str, span) -> T.Range:
        text = texts.get(path)
        if path not in texts:
            data = _read(path)
            text = texts[path] = Text(data) if data is not None else None
        if text is None:
            return T.Range(T.Position(span.start.line - 1, 0), T.Position(span.end.line - 1, 0))
        return T.Range(text.position(span.start.line, span.start.column), text.position(span.end.line, span.end.column))

    def to_lsp(self, d: Diagnostic, texts: dict) -> T.Diagnostic:
        path = os.path.abspath(d.span.path)
        related = [T.DiagnosticRelatedInformation(
            location=T.Location(uri=from_fs_path(os.path.abspath(r.span.path)),
                                range=self.lsp_range(texts, os.path.abspath(r.span.path), r.span)),
            message=r.message) for r in d.related]
        return T.Diagnostic(range=self.lsp_range(texts, path, d.span), message=d.message,
                            severity=_SEVERITY.get(d.severity, T.DiagnosticSeverity.Warning), code=d.code,
                            source="goconc", related_information=related or None)

    async def analyse(self, uri: str) -> None:
        path = to_fs_path(uri)
        if path is None or not path.endswith(".go"):
            return
        directory = os.path.dirname(os.path.abspath(path))
        lock = self.locks.setdefault(directory, asyncio.Lock())
        async with lock:  # one analysis of a package at a time; saves queue behind it
            result = await asyncio.to_thread(_check, directory)
            if result is None:
                return
            by_uri: dict[str, list] = {}
            texts: dict[str, Text | None] = {}
            for d in result.diagnostics:
                file_uri = from_fs_path(os.path.abspath(d.span.path))
                by_uri.setdefault(file_uri, []).append((d, self.to_lsp(d, texts)))
            before = self.published.get(directory, set())
            for file_uri in before | set(by_uri) | {uri}:
                found = by_uri.get(file_uri, [])
                self.findings[file_uri] = found
                path = to_fs_path(file_uri) or ""
                text = texts.get(path)
                self.analysed[file_uri] = text.data if text is not None else _read(path) or b""
                self.text_document_publish_diagnostics(
                    T.PublishDiagnosticsParams(uri=file_uri, diagnostics=[x for _, x in found]))
            self.published[directory] = set(by_uri)

    def current(self, uri: str) -> bool:
        """Whether the editor's text of the document is what its findings were computed for."""
        try:
            doc = self.workspace.get_text_document(uri)
            return doc.source.encode("utf-8") == self.analysed.get(uri)
        except Exception:  # noqa: BLE001 - a document the workspace does not know
            return False


def _check(directory: str):
    """goconc check of one package directory, as the CLI runs it (configuration, cache)."""
    from goconc.config import CheckRun, ConfigError
    from goconc.loader import package_files

    files = package_files(directory)
    if not files:
        return None
    try:
        setup = CheckRun(files, [], [], 1)
        return setup.finish(setup.analyse(cache=True))
    except ConfigError as exc:
        from goconc.model import RunResult

        print(f"goconc: {exc}", file=sys.stderr)
        return RunResult()


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
        for d, lsp_d in ls.findings.get(uri, []):
            if not _overlaps(lsp_d.range, params.range):
                continue
            for fix in d.fixes:
                changes: dict[str, list[T.TextEdit]] = {}
                for e in fix.edits:
                    path = os.path.abspath(e.path)
                    if path not in texts:
                        data = ls.analysed.get(from_fs_path(path)) or _read(path) or b""
                        texts[path] = Text(data)
                    t = texts[path]
                    changes.setdefault(from_fs_path(path), []).append(
                        T.TextEdit(range=T.Range(t.at_offset(e.start), t.at_offset(e.end)), new_text=e.new))
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
        for d, lsp_d in ls.findings.get(params.text_document.uri, []):
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
