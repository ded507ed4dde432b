"""`goconc lsp` in a real LSP session: pygls's own client drives the server process over stdio."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys

import pytest
from conftest import ROOT

pytest.importorskip("pygls", reason="the lsp extra is not installed")

from lsprotocol import types as T  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402

UNICODE = """\
package buggy

import "sync"

// Counter is read under its read lock.
type Counter struct {
	mu sync.RWMutex
	n  int
}

// Get returns the count.
func (t *Counter) Get() int {
	t.mu.RLock()
	/* ünïcødé 😀 */ defer t.mu.Unlock()
	return t.n
}
"""


@pytest.fixture
def anyio_backend():
    return "asyncio"


class Session:
    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        self.published: dict[str, list[T.Diagnostic]] = {}
        self.arrived = asyncio.Event()
        self.messages: list[str] = []

    async def diagnostics(self, uri: str) -> list[T.Diagnostic]:
        while uri not in self.published:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), 60)
        return self.published.pop(uri)


async def start(root, encodings=None) -> Session:
    client = LanguageClient("goconc-test", "1")
    session = Session(client)

    @client.feature(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: T.PublishDiagnosticsParams) -> None:
        session.published[params.uri] = params.diagnostics
        session.arrived.set()

    @client.feature(T.WINDOW_SHOW_MESSAGE)
    def on_message(params: T.ShowMessageParams) -> None:
        session.messages.append(params.message)
        session.arrived.set()

    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"), GOCONC_NO_CACHE="1")
    await client.start_io(sys.executable, "-m", "goconc", "lsp", cwd=str(root), env=env)
    caps = T.ClientCapabilities(general=T.GeneralClientCapabilities(position_encodings=encodings)) if encodings \
        else T.ClientCapabilities()
    session.init = await client.initialize_async(T.InitializeParams(capabilities=caps, root_uri=from_fs_path(str(root))))
    client.initialized(T.InitializedParams())
    return session


async def stop(session: Session) -> None:
    await session.client.shutdown_async(None)
    session.client.exit(None)
    await session.client.stop()


def utf16_col(line: str, needle: str) -> int:
    return len(line[: line.index(needle)].encode("utf-16-le")) // 2


def apply(text: str, edits: list[T.TextEdit]) -> str:
    lines = text.split("\n")

    def offset(p: T.Position) -> int:
        units = lines[p.line].encode("utf-16-le")[: 2 * p.character].decode("utf-16-le")
        return sum(len(x) + 1 for x in lines[: p.line]) + len(units)

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(e.range.start)] + e.new_text + text[offset(e.range.end):]
    return text


@pytest.mark.anyio
async def test_diagnostics_code_actions_hover_and_clearing(tmp_path):
    pkg = tmp_path / "buggy"
    shutil.copytree(os.path.join(ROOT, "examples", "buggy"), pkg)
    counter = pkg / "counter.go"
    counter.write_text(UNICODE)
    uri, cache_uri = from_fs_path(str(counter)), from_fs_path(str(pkg / "cache.go"))
    s = await start(tmp_path)
    try:
        s.client.text_document_did_open(T.DidOpenTextDocumentParams(
            T.TextDocumentItem(uri=uri, language_id="go", version=1, text=UNICODE)))
        mine = await s.diagnostics(uri)
        others = await s.diagnostics(cache_uri)  # the whole package is published, not only the file opened
        (d,) = mine
        line = UNICODE.split("\n")[13]
        assert (d.code, d.source, d.severity) == ("GC3004", "goconc", T.DiagnosticSeverity.Error)
        assert d.range.start == T.Position(line=13, character=utf16_col(line, "t.mu.Unlock"))
        assert sorted(x.code for x in others) == ["GC2001", "GC2002", "GC3001", "GC3002", "GC3004"]
        (leak,) = [x for x in others if x.code == "GC3002"]
        (rel,) = leak.related_information
        assert rel.location.uri == cache_uri and rel.location.range.start.line == 21
        assert rel.message == "returns with c.mu still locked"

        hover = await s.client.text_document_hover_async(T.HoverParams(
            text_document=T.TextDocumentIdentifier(uri=uri), position=d.range.start))
        assert "(GC3004)" in hover.contents.value and "## Limitations" in hover.contents.value
        nothing = await s.client.text_document_hover_async(T.HoverParams(
            text_document=T.TextDocumentIdentifier(uri=uri), position=T.Position(line=0, character=0)))
        assert nothing is None

        actions = await s.client.text_document_code_action_async(T.CodeActionParams(
            text_document=T.TextDocumentIdentifier(uri=uri), range=d.range,
            context=T.CodeActionContext(diagnostics=[d])))
        (action,) = actions
        assert action.kind == T.CodeActionKind.QuickFix and action.is_preferred and "GC3004" in action.title
        fixed = apply(UNICODE, action.edit.changes[uri])
        assert "/* ünïcødé 😀 */ defer t.mu.RUnlock()" in fixed and fixed.count("\n") == UNICODE.count("\n")

        # an edited buffer: its findings' offsets are stale, so no fix is offered
        s.client.text_document_did_change(T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[T.TextDocumentContentChangeWholeDocument(text="// edited\n" + UNICODE)]))
        stale = await s.client.text_document_code_action_async(T.CodeActionParams(
            text_document=T.TextDocumentIdentifier(uri=uri), range=d.range,
            context=T.CodeActionContext(diagnostics=[d])))
        assert not stale

        # saved with the fix: the finding is cleared, the other file keeps its own
        counter.write_text(fixed)
        s.client.text_document_did_change(T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[T.TextDocumentContentChangeWholeDocument(text=fixed)]))
        s.client.text_document_did_save(T.DidSaveTextDocumentParams(text_document=T.TextDocumentIdentifier(uri=uri)))
        assert list(await s.diagnostics(uri)) == []
        assert len(await s.diagnostics(cache_uri)) == 5
    finally:
        await stop(s)


@pytest.mark.anyio
async def test_a_file_that_does_not_parse_is_one_diagnostic_and_the_server_goes_on(tmp_path):
    bad = tmp_path / "bad.go"
    bad.write_text("package bad\n\nfunc f( {\n")
    good = tmp_path / "sub" / "good.go"
    good.parent.mkdir()
    good.write_text("package sub\n\nfunc g() {}\n")
    s = await start(tmp_path)
    try:
        s.client.text_document_did_open(T.DidOpenTextDocumentParams(
            T.TextDocumentItem(uri=from_fs_path(str(bad)), language_id="go", version=1, text=bad.read_text())))
        (d,) = await s.diagnostics(from_fs_path(str(bad)))
        assert d.code == "GC0001" and d.range.start.line == 2
        s.client.text_document_did_open(T.DidOpenTextDocumentParams(
            T.TextDocumentItem(uri=from_fs_path(str(good)), language_id="go", version=1, text=good.read_text())))
        assert list(await s.diagnostics(from_fs_path(str(good)))) == []
    finally:
        await stop(s)


@pytest.mark.anyio
async def test_utf8_positions_client_uris_crlf_a_broken_config_and_a_deleted_file(tmp_path):
    pkg = tmp_path / "mod@v1.2.3+incompatible"
    pkg.mkdir()
    crlf = UNICODE.replace("\n", "\r\n")
    counter = pkg / "counter.go"
    counter.write_bytes(crlf.encode())
    # the URI as an editor may send it: `@` and `+` not escaped
    uri = "file://" + str(counter)
    s = await start(tmp_path, encodings=[T.PositionEncodingKind.Utf8])
    try:
        assert s.init.capabilities.position_encoding == T.PositionEncodingKind.Utf8
        s.client.text_document_did_open(T.DidOpenTextDocumentParams(
            T.TextDocumentItem(uri=uri, language_id="go", version=1, text=crlf)))
        (d,) = await s.diagnostics(uri)  # published under the client's own URI
        line = UNICODE.split("\n")[13]
        assert d.range.start.character == len(line[: line.index("t.mu.Unlock")].encode("utf-8"))
        hover = await s.client.text_document_hover_async(T.HoverParams(
            text_document=T.TextDocumentIdentifier(uri=uri), position=d.range.start))
        assert hover is not None and "(GC3004)" in hover.contents.value
        (action,) = await s.client.text_document_code_action_async(T.CodeActionParams(
            text_document=T.TextDocumentIdentifier(uri=uri), range=d.range, context=T.CodeActionContext(diagnostics=[d])))
        (edit,) = action.edit.changes[uri]
        assert "\n" not in edit.new_text.replace("\r\n", "")

        (tmp_path / ".goconc.toml").write_text("select = [\"GC99999\"]\n")
        s.client.text_document_did_save(T.DidSaveTextDocumentParams(text_document=T.TextDocumentIdentifier(uri=uri)))
        while not s.messages:
            s.arrived.clear()
            await asyncio.wait_for(s.arrived.wait(), 60)
        assert "GC99999" in s.messages[0] and uri not in s.published  # the findings shown are kept

        (tmp_path / ".goconc.toml").unlink()
        counter.unlink()
        s.client.text_document_did_save(T.DidSaveTextDocumentParams(text_document=T.TextDocumentIdentifier(uri=uri)))
        assert list(await s.diagnostics(uri)) == []  # the last file of the package is gone: cleared
    finally:
        await stop(s)
