"""Translation backends: file, openai (against a local stub server), hf-seq2seq (tiny model)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from xlt.errors import ConfigError, MismatchError
from xlt.languages import resolve
from xlt.translation import TranslationError, build_translator, translators
from xlt.translation.codes import candidate_codes, detect_style, language_token

ENG, EUS = resolve("eng"), resolve("eus")


# -- file ----------------------------------------------------------------------------------
def test_file_backend_returns_lines_with_empty_ones(tmp_path):
    path = tmp_path / "mt.txt"
    path.write_text("Kaixo mundua\n\nAgur\n", encoding="utf-8")
    tr = build_translator({"method": "file", "path": str(path)})
    assert tr.translate(["a", "b", "c"], ENG, EUS) == ["Kaixo mundua", "", "Agur"]
    assert tr.stats_["empty"] == 1 and not tr.open_ended


def test_file_backend_mismatch_names_file_and_counts(tmp_path):
    path = tmp_path / "mt.txt"
    path.write_text("one\n\n", encoding="utf-8")
    tr = build_translator({"method": "file", "path": str(path)})
    with pytest.raises(MismatchError, match=r"mt\.txt: 2 lines \(empty lines counted\) for 3 input"):
        tr.translate(["a", "b", "c"], ENG, EUS)


def test_unknown_translator_lists_choices():
    with pytest.raises(Exception, match="hf-seq2seq"):
        build_translator({"method": "nope"})
    assert {"file", "hf-seq2seq", "openai"} <= set(translators.names())


# -- language codes ------------------------------------------------------------------------
def test_language_codes():
    assert candidate_codes(EUS, "nllb")[0] == "eus_Latn"
    assert "zho_Hans" in candidate_codes(resolve("zh"), "nllb")
    assert candidate_codes(EUS, "m2m")[0] == "__eu__"
    assert language_token(EUS, "mbart", {"en_XX", "eu_ES"}) == "eu_ES"
    assert detect_style({"eng_Latn", "x"}) == "nllb" and detect_style({"__en__"}) == "m2m"
    assert detect_style({"a", "b"}) == "none" and language_token(EUS, "none", {"a"}) is None
    with pytest.raises(ConfigError, match=r"no language token for .*tried eus_Latn"):
        language_token(EUS, "nllb", {"eng_Latn"})


# -- openai (stub server) ------------------------------------------------------------------
class Stub:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.fail_first = 0  # answer 503 to this many requests
        self.status = 200
        self.delay = 0.0
        self.body: bytes | None = None
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0


@pytest.fixture
def stub():
    state = Stub()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_POST(self):
            data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with state.lock:
                state.requests.append(data)
                state.headers.append(dict(self.headers))
                fail = state.fail_first > 0
                state.fail_first -= fail
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            try:
                time.sleep(state.delay)
                if fail or state.status != 200:
                    self.send_response(503 if fail else state.status)
                    self.end_headers()
                    self.wfile.write(b"overloaded" if fail else b"bad request")
                    return
                text = data["messages"][1]["content"]
                body = (
                    state.body
                    or json.dumps(
                        {"choices": [{"message": {"content": f"EU {text}"}, "finish_reason": "stop"}]}
                    ).encode()
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)
            finally:
                with state.lock:
                    state.in_flight -= 1

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield state
    server.shutdown()
    server.server_close()


def _openai(stub, **kw):
    return build_translator(
        {"method": "openai", "base_url": stub.url, "model": "m", "backoff": 0.01, "timeout": 2, **kw}
    )


def test_openai_translates_in_order_with_bounded_concurrency(stub, monkeypatch):
    monkeypatch.setenv("XLT_TEST_KEY", "sk-secret-123")
    stub.delay = 0.05
    tr = _openai(stub, api_key_env="XLT_TEST_KEY", concurrency=2)
    sents = [f"sentence {i}" for i in range(6)]
    assert tr.translate(sents, ENG, EUS) == [f"EU {s}" for s in sents]
    assert stub.max_in_flight <= 2
    assert stub.headers[0]["Authorization"] == "Bearer sk-secret-123"
    assert "Basque" in stub.requests[0]["messages"][0]["content"]
    assert stub.requests[0]["model"] == "m" and tr.stats_["sentences"] == 6
    assert "sk-secret" not in json.dumps(tr.stats_) and "sk-secret" not in tr.config.model_dump_json()


def test_openai_retries_then_succeeds(stub):
    stub.fail_first = 2
    tr = _openai(stub, retries=3)
    assert tr.translate(["x"], ENG, EUS) == ["EU x"]
    assert tr.stats_["retries"] == 2 and len(stub.requests) == 3


def test_openai_gives_up_after_retries(stub):
    stub.fail_first = 10
    with pytest.raises(TranslationError, match=r"HTTP 503 .*gave up after 2 attempts"):
        _openai(stub, retries=1).translate(["x"], ENG, EUS)


def test_openai_client_error_is_not_retried(stub, monkeypatch):
    monkeypatch.setenv("XLT_TEST_KEY", "sk-secret-123")
    stub.status = 400
    with pytest.raises(TranslationError, match="HTTP 400") as err:
        _openai(stub, retries=3, api_key_env="XLT_TEST_KEY").translate(["x"], ENG, EUS)
    assert len(stub.requests) == 1 and "sk-secret" not in str(err.value)


def test_openai_timeout(stub):
    stub.delay = 0.6
    with pytest.raises(TranslationError, match=r"no response .* within 0.2 s"):
        _openai(stub, retries=1, timeout=0.2).translate(["x"], ENG, EUS)


def test_openai_malformed_answer_and_empty_content(stub):
    stub.body = b'{"nothing": 1}'
    with pytest.raises(TranslationError, match=r"expected a chat-completions JSON object"):
        _openai(stub).translate(["x"], ENG, EUS)
    stub.body = json.dumps({"choices": [{"message": {"content": ""}, "finish_reason": "length"}]}).encode()
    tr = _openai(stub)
    assert tr.translate(["x"], ENG, EUS) == [""]
    assert tr.stats_["empty"] == 1 and tr.stats_["truncated"] == 1


def test_openai_missing_key_variable(stub, monkeypatch):
    monkeypatch.delenv("XLT_NO_SUCH_KEY", raising=False)
    with pytest.raises(ConfigError, match="XLT_NO_SUCH_KEY"):
        _openai(stub, api_key_env="XLT_NO_SUCH_KEY").translate(["x"], ENG, EUS)
    with pytest.raises(ConfigError, match="base_url"):
        build_translator({"method": "openai", "base_url": "ftp://x", "model": "m"})


# -- hf-seq2seq (tiny random Marian model) -------------------------------------------------
@pytest.fixture(scope="module")
def tiny_mt():
    from xlt.testing.tiny_mt import shared_tiny_seq2seq

    return str(shared_tiny_seq2seq())


def _hf(path, **kw):
    return build_translator({"method": "hf-seq2seq", "model": path, "device": "cpu", **kw})


def test_hf_translates_in_order_and_forces_target_token(tiny_mt):
    tr = _hf(tiny_mt, beam_size=2, max_new_tokens=8, batch_size=2)
    sents = ["Mary went to Nairobi .", "", "The dog .", "In the beginning was the Word ."]
    out = tr.translate(sents, ENG, EUS)
    assert len(out) == 4 and out[1] == "" and tr.stats_["empty"] >= 1
    eus_id = tr.tokenizer_.convert_tokens_to_ids("eus_Latn")
    ids = tr.generate_ids(["The dog ."], ENG, EUS)[0]
    assert ids[1] == eus_id and tr.decoder_prefix_length(ENG, EUS) == 2
    enc, _ = tr.encode(["The dog ."], ENG, EUS)
    assert enc[0][0] == tr.tokenizer_.convert_tokens_to_ids("eng_Latn")


def test_hf_batching_does_not_change_outputs(tiny_mt):
    sents = ["Mary went to Nairobi .", "The dog .", "Hasieran Hitza zen .", "1 2 3"]
    one = _hf(tiny_mt, beam_size=1, max_new_tokens=6, batch_size=1).translate(sents, ENG, EUS)
    many = _hf(tiny_mt, beam_size=1, max_new_tokens=6, batch_size=4).translate(sents, ENG, EUS)
    assert one == many


def test_hf_counts_over_long_outputs_and_long_inputs(tiny_mt):
    tr = _hf(tiny_mt, beam_size=1, max_new_tokens=2, max_input_tokens=4, code_style="none")
    tr.translate(["Mary went to Nairobi with John on Monday ."], ENG, EUS)
    assert tr.stats_["truncated"] == 1 and tr.stats_["input_truncated"] == 1


def test_hf_unknown_language_and_bad_override(tiny_mt):
    with pytest.raises(ConfigError, match="no language token for fra"):
        _hf(tiny_mt).translate(["x"], ENG, resolve("fra"))
    with pytest.raises(ConfigError, match="tgt_code 'xx_YY' is not a token"):
        _hf(tiny_mt, tgt_code="xx_YY").translate(["x"], ENG, EUS)
