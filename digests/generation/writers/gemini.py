"""Gemini through the google-genai SDK, in its JSON schema mode."""
import httpx
from django.conf import settings

from .base import LanguageModelWriter, SYSTEM, WriterError, WriterUnavailable, parse_retry_after

DEFAULT_MODEL = "gemini-2.5-flash"


def _httpx_errors(name):
    """httpx's exception class `name`, and httpx2's too: google-genai may send through either."""
    types = [getattr(httpx, name)]
    try:
        import httpx2

        types.append(getattr(httpx2, name))
    except ImportError:
        pass
    return tuple(types)


class GeminiWriter(LanguageModelWriter):
    name = "gemini"

    def __init__(self, model=None, api_key=None, base_url=None, timeout=None):
        self.model = model or DEFAULT_MODEL
        self.api_key = api_key if api_key is not None else settings.GEMINI_API_KEY
        self.base_url = base_url if base_url is not None else settings.GEMINI_BASE_URL
        self.timeout = timeout if timeout is not None else settings.NEWSROOM_WRITER_TIMEOUT
        if not self.api_key:
            raise WriterUnavailable("GEMINI_API_KEY is not set")

    def complete(self, prompt, schema):
        from google import genai
        from google.genai import errors, types

        # No SDK retries: the chain does them, honouring Retry-After, and records each attempt.
        client = genai.Client(api_key=self.api_key, http_options=types.HttpOptions(
            base_url=self.base_url or None, timeout=int(self.timeout * 1000)))
        config = types.GenerateContentConfig(
            system_instruction=SYSTEM, response_mime_type="application/json", response_json_schema=schema,
            temperature=0.4,
        )
        try:
            response = client.models.generate_content(model=self.model, contents=prompt, config=config)
        except errors.APIError as exc:
            code = exc.code or 0
            headers = getattr(exc.response, "headers", None) or {}
            retryable = code in (408, 429) or code >= 500
            raise WriterError(f"Gemini {self.model} answered HTTP {code}: {exc.message or exc}", kind=f"http_{code}",
                              retryable=retryable, retry_after=parse_retry_after(headers.get("retry-after"))) from exc
        except _httpx_errors("TimeoutException") as exc:
            raise WriterError(f"Gemini {self.model} did not answer within {self.timeout:g} s", kind="timeout",
                              retryable=True) from exc
        except _httpx_errors("TransportError") as exc:
            raise WriterError(f"Gemini {self.model} unreachable: {exc}", kind="network", retryable=True) from exc
        usage = response.usage_metadata
        tokens = {}
        if usage is not None:
            tokens = {"prompt": usage.prompt_token_count or 0, "output": usage.candidates_token_count or 0,
                      "total": usage.total_token_count or 0}
        try:
            text = response.text
        except ValueError:
            text = ""
        return text or "", tokens
