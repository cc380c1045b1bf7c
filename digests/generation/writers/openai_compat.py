"""Any OpenAI-compatible chat endpoint (OpenRouter, Ollama, vLLM) through the openai SDK, in json_schema mode."""
from django.conf import settings

from .base import LanguageModelWriter, SYSTEM, WriterError, WriterUnavailable, parse_retry_after


class OpenAICompatWriter(LanguageModelWriter):
    name = "openai"

    def __init__(self, model=None, api_key=None, base_url=None, timeout=None):
        self.model = model or settings.OPENAI_MODEL
        self.api_key = api_key if api_key is not None else settings.OPENAI_API_KEY
        self.base_url = base_url if base_url is not None else settings.OPENAI_BASE_URL
        self.timeout = timeout if timeout is not None else settings.NEWSROOM_WRITER_TIMEOUT
        if not self.model:
            raise WriterUnavailable("no model: set OPENAI_MODEL or use openai:<model> in NEWSROOM_WRITERS")
        if not (self.api_key or self.base_url):
            raise WriterUnavailable("neither OPENAI_API_KEY nor OPENAI_BASE_URL is set")

    def complete(self, prompt, schema):
        import openai

        # A local endpoint (Ollama) needs no key, but the SDK insists on one.
        client = openai.OpenAI(api_key=self.api_key or "unused", base_url=self.base_url or None,
                               timeout=self.timeout, max_retries=0)
        try:
            response = client.chat.completions.create(
                model=self.model,
                messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}],
                response_format={"type": "json_schema", "json_schema": {"name": "digest", "schema": schema, "strict": True}},
                temperature=0.4,
            )
        except openai.APITimeoutError as exc:
            raise WriterError(f"{self.label} did not answer within {self.timeout:g} s", kind="timeout",
                              retryable=True) from exc
        except openai.APIConnectionError as exc:
            raise WriterError(f"{self.label} unreachable: {exc}", kind="network", retryable=True) from exc
        except openai.APIStatusError as exc:
            code = exc.status_code
            raise WriterError(f"{self.label} answered HTTP {code}: {exc.message}", kind=f"http_{code}",
                              retryable=code in (408, 409, 429) or code >= 500,
                              retry_after=parse_retry_after(exc.response.headers.get("retry-after"))) from exc
        except openai.APIResponseValidationError as exc:
            raise WriterError(f"{self.label} sent an unreadable response: {exc}", kind="bad_response") from exc
        usage = response.usage
        tokens = {}
        if usage is not None:
            tokens = {"prompt": usage.prompt_tokens or 0, "output": usage.completion_tokens or 0,
                      "total": usage.total_tokens or 0}
        content = response.choices[0].message.content if response.choices else ""
        return content or "", tokens
