"""An OpenAI-compatible chat-completions server as a translation backend.

Works with any server that speaks ``POST {base_url}/chat/completions`` (vLLM, the llama.cpp
server, text-generation-inference's Messages API, hosted OpenAI-compatible APIs). The model is
prompted to translate one sentence per request (Zhu et al. 2024, "Multilingual Machine
Translation with Large Language Models: Empirical Results and Analysis", for prompting LLMs to
translate). The API key is read only from the environment variable the config names; it is
sent in the ``Authorization`` header and never written to a file, a log line or an error.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from pydantic import Field, field_validator

from xlt.config import MethodConfig
from xlt.errors import ConfigError
from xlt.logs import get_logger
from xlt.translation.base import TranslationError, translators
from xlt.types import Lang

log = get_logger("translation")

DEFAULT_PROMPT = (
    "Translate the user's text from {src} to {tgt}. Keep every bracket marker such as [ ] {{ }} "
    "exactly as it is, around the words that translate the marked words. Reply with the "
    "translation only."
)
#: HTTP statuses worth retrying (rate limits, overload, gateway errors)
RETRYABLE = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


class OpenAITranslatorConfig(MethodConfig):
    method: Literal["openai"] = "openai"
    base_url: str = Field(description="Server root including the API version, e.g. http://127.0.0.1:8000/v1.")
    model: str = Field(description="Model name the server expects in the request.")
    api_key_env: str | None = Field(
        None, description="Name of the environment variable holding the API key (none: no key sent)."
    )
    system_prompt: str = Field(
        DEFAULT_PROMPT, description="System message; {src} and {tgt} become the language names."
    )
    temperature: float = Field(0.0, ge=0, description="Sampling temperature (0: greedy).")
    max_tokens: int = Field(512, ge=1, description="Most tokens generated per sentence.")
    timeout: float = Field(60.0, gt=0, description="Seconds to wait for one response.")
    retries: int = Field(3, ge=0, description="Retries of a failed request (timeouts, 429, 5xx).")
    backoff: float = Field(1.0, ge=0, description="First retry delay in seconds; doubles each retry.")
    concurrency: int = Field(4, ge=1, le=256, description="Requests in flight at once.")

    @field_validator("base_url")
    @classmethod
    def _http(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return v.rstrip("/")


def _language_name(lang: Lang) -> str:
    try:
        from xlt.languages.info import language_info

        return language_info(lang).name
    except Exception:
        return str(lang)


@translators.register(
    "openai",
    config=OpenAITranslatorConfig,
    reference="Zhu et al. 2024, Multilingual Machine Translation with Large Language Models",
)
class OpenAITranslator:
    """An OpenAI-compatible chat-completions server (vLLM, llama.cpp) prompted to translate."""

    open_ended = True

    def __init__(self, config: OpenAITranslatorConfig) -> None:
        self.config = config
        self.stats_: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _key(self) -> str | None:
        name = self.config.api_key_env
        if name is None:
            return None
        key = os.environ.get(name)
        if not key:
            raise ConfigError(
                f"translator openai: the environment variable {name} (api_key_env) is not set or empty",
                hint=f"export {name}=... before running; the key is never read from a file",
            )
        return key

    def _request(self, text: str, system: str, key: str | None, counters: dict[str, int]) -> str:
        cfg = self.config
        body = json.dumps(
            {
                "model": cfg.model,
                "messages": [{"role": "system", "content": system}, {"role": "user", "content": text}],
                "temperature": cfg.temperature,
                "max_tokens": cfg.max_tokens,
            }
        ).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        url = f"{cfg.base_url}/chat/completions"
        last = ""
        for attempt in range(cfg.retries + 1):
            if attempt:
                self._bump(counters, "retries")
                time.sleep(cfg.backoff * 2 ** (attempt - 1))
            req = urllib.request.Request(url, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=cfg.timeout) as resp:
                    payload = resp.read()
            except urllib.error.HTTPError as err:
                detail = err.read(300).decode("utf-8", errors="replace").strip()
                last = f"HTTP {err.code} from {url}" + (f": {detail}" if detail else "")
                if err.code in RETRYABLE:
                    continue
                raise TranslationError(f"translator openai: {last}") from None
            except TimeoutError:
                last = f"no response from {url} within {cfg.timeout:g} s"
                continue
            except urllib.error.URLError as err:
                if isinstance(err.reason, (TimeoutError, socket.timeout)):
                    last = f"no response from {url} within {cfg.timeout:g} s"
                else:
                    last = f"cannot reach {url} ({err.reason})"
                continue
            except (ConnectionError, OSError) as err:
                last = f"connection to {url} failed ({type(err).__name__})"
                continue
            return self._content(payload, url, counters)
        raise TranslationError(f"translator openai: {last} (gave up after {cfg.retries + 1} attempts)")

    def _bump(self, counters: dict[str, int], name: str) -> None:
        with self._lock:
            counters[name] += 1

    def _content(self, payload: bytes, url: str, counters: dict[str, int]) -> str:
        try:
            data = json.loads(payload.decode("utf-8"))
            choice = data["choices"][0]
            content = choice["message"]["content"]
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, IndexError, TypeError):
            raise TranslationError(
                f"translator openai: {url} answered {payload[:200]!r}; expected a chat-completions "
                "JSON object with choices[0].message.content"
            ) from None
        if choice.get("finish_reason") == "length":
            self._bump(counters, "truncated")
        text = (content or "").strip()
        if not text:
            self._bump(counters, "empty")
        return " ".join(text.split("\n")) if "\n" in text else text

    def translate(self, sentences: Sequence[str], src: Lang, tgt: Lang) -> list[str]:
        """One chat request per sentence, at most ``concurrency`` in flight; order kept."""
        t0 = time.perf_counter()
        key = self._key()
        system = self.config.system_prompt.format(src=_language_name(src), tgt=_language_name(tgt))
        counters = {"retries": 0, "truncated": 0, "empty": 0}
        if not sentences:
            out: list[str] = []
        else:
            workers = min(self.config.concurrency, len(sentences))
            with ThreadPoolExecutor(max_workers=workers) as pool:
                out = list(pool.map(lambda s: self._request(s, system, key, counters), sentences))
        seconds = time.perf_counter() - t0
        self.stats_ = {"sentences": len(out), **counters, "seconds": round(seconds, 4)}
        log.info("openai: %d sentences in %.1fs (%d retries)", len(out), seconds, counters["retries"])
        return out
