"""A fake language model speaking Gemini generateContent and OpenAI chat/completions, with scripted misbehaviour.

Behaviours, consumed one per request from a wire's script (then `default`, normally "ok"):
"ok", "delay:<s>", "hold" (until release()), "429:<retry-after s>", "500", "not_json", "wrong_count",
"unknown_id", "empty_insights", "english", and "ungrounded": the first item's sentences get a wrong number
(its source's "$16 billion" written as "16억 달러"), a name its source does not have, and a quote that is
not in its source. Good answers cite each candidate's first source with a quote taken from its text.
"""
import json
import re
import threading
import time
from collections import deque

from .http import LocalServer, QuietHandler

SENTENCE = re.compile(r"[^.!?]{20,}?[.!?](?=\s|$)")
LATIN_NAME = re.compile(r"\b[A-Z][A-Za-z0-9]*[A-Z0-9]?[a-zA-Z0-9]*\b")
CANDIDATES = re.compile(r"<<<CANDIDATES\s*(.*?)\s*CANDIDATES>>>", re.S)
ITEM_COUNT = re.compile(r"정확히 (\d+)개의 기사")
INSIGHT_COUNT = re.compile(r"정확히 (\d+)개의 시사점")
GEMINI_PATH = re.compile(r"^/v1(?:beta)?/models/([^/:]+):generateContent")


def grounded_sentences(candidate):
    """Korean sentences that hold against the candidate's first source: its names, quoted verbatim."""
    source = (candidate.get("sources") or [{}])[0]
    text = source.get("text") or source.get("title") or candidate["title"]
    quotes = [q.strip() for q in SENTENCE.findall(text)][:2] or [text[:120]]
    sentences = []
    for quote in quotes:
        names = [n for n in LATIN_NAME.findall(quote) if len(n) > 1][:2]
        about = ", ".join(names) if names else "업계"
        sentences.append({"text": f"{about} 관련 소식이 전해졌습니다.", "source": source.get("source", 1), "quote": quote})
    return sentences


def ungrounded_sentences(candidate):
    source = (candidate.get("sources") or [{}])[0]
    quote = (SENTENCE.findall(source.get("text") or "") or [source.get("title", "")])[0].strip()
    number = source.get("source", 1)
    return [
        {"text": "이번 거래의 규모는 16억 달러입니다.", "source": number, "quote": quote},
        {"text": "Nvidia도 이번 거래에 참여했습니다.", "source": number, "quote": quote},
        {"text": "회사는 거래를 곧 마무리할 예정입니다.", "source": number,
         "quote": "The deal will close next week, the company said."},
    ]


def answer_for(prompt, behaviour):
    """The JSON text a model would answer to the prompt, spoiled as the behaviour says."""
    if behaviour == "not_json":
        return "Sure! Here are today's top stories: 1. Chips 2. Clouds"
    candidates = json.loads(CANDIDATES.search(prompt).group(1))
    items = int(ITEM_COUNT.search(prompt).group(1))
    insights = int(INSIGHT_COUNT.search(prompt).group(1))
    chosen = candidates[: items - 1 if behaviour == "wrong_count" else items]
    english = behaviour == "english"
    result = []
    for n, candidate in enumerate(chosen):
        result.append({
            "candidate_id": "c-unknown" if behaviour == "unknown_id" and n == 0 else candidate["id"],
            "title": f"Chip makers announce story {n}" if english else f"반도체 업계 소식 {n}: {candidate['title'][:40]}",
            "sentences": ([{"text": "The industry announced new products.", "source": 1, "quote": candidate["title"]}]
                          if english else ungrounded_sentences(candidate) if behaviour == "ungrounded" and n == 0
                          else grounded_sentences(candidate)),
            "insights": [] if behaviour == "empty_insights" else [
                {"label": "Market" if english else f"시사점 {m + 1}",
                 "text": "Competition heats up." if english else "경쟁이 더 치열해질 것입니다."}
                for m in range(insights)
            ],
            "tags": ["AI"] if english else ["반도체", "AI"],
        })
    return json.dumps({"items": result}, ensure_ascii=False)


class ModelHandler(QuietHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        gemini = GEMINI_PATH.match(self.path)
        if gemini:
            wire, model = "gemini", gemini.group(1)
            prompt = body["contents"][-1]["parts"][0]["text"]
        elif self.path.rstrip("/").endswith("/chat/completions"):
            wire, model = "openai", body.get("model", "")
            prompt = body["messages"][-1]["content"]
        else:
            return self.send_body(404, b'{"error": {"code": 404, "message": "no such endpoint"}}')
        behaviour = owner.next_behaviour(wire)
        owner.requests.append({"wire": wire, "model": model, "path": self.path, "time": time.monotonic(),
                               "behaviour": behaviour, "body": body, "prompt": prompt})
        if behaviour.startswith("delay:"):
            time.sleep(float(behaviour.split(":", 1)[1]))
        elif behaviour == "hold":
            owner.holding.set()
            owner.release_event.wait(120)
        if behaviour.startswith("429"):
            retry_after = behaviour.split(":", 1)[1] if ":" in behaviour else "1"
            return self.error(wire, 429, "RESOURCE_EXHAUSTED", "Quota exceeded, retry later", {"Retry-After": retry_after})
        if behaviour == "500":
            return self.error(wire, 500, "INTERNAL", "The model crashed")
        text = answer_for(prompt, behaviour)
        if wire == "gemini":
            payload = {
                "candidates": [{"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": "STOP", "index": 0}],
                "usageMetadata": {"promptTokenCount": len(prompt) // 4, "candidatesTokenCount": len(text) // 4,
                                  "totalTokenCount": (len(prompt) + len(text)) // 4},
                "modelVersion": model,
            }
        else:
            payload = {
                "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": len(prompt) // 4, "completion_tokens": len(text) // 4,
                          "total_tokens": (len(prompt) + len(text)) // 4},
            }
        try:
            self.send_body(200, json.dumps(payload, ensure_ascii=False).encode())
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test) or was killed (the crash test)
        return None

    def error(self, wire, code, status, message, headers=None):
        if wire == "gemini":
            payload = {"error": {"code": code, "message": message, "status": status}}
        else:
            payload = {"error": {"message": message, "type": status.lower(), "code": None}}
        try:
            self.send_body(code, json.dumps(payload).encode(), headers=headers)
        except (BrokenPipeError, ConnectionResetError):
            pass


class FakeModelServer(LocalServer):
    handler = ModelHandler

    def __init__(self):
        super().__init__()
        self.scripts = {"gemini": deque(), "openai": deque()}
        self.default = "ok"
        self.requests = []
        self.lock = threading.Lock()
        self.holding = threading.Event()
        self.release_event = threading.Event()

    def script(self, wire, *behaviours):
        with self.lock:
            self.scripts[wire].extend(behaviours)

    def next_behaviour(self, wire):
        with self.lock:
            return self.scripts[wire].popleft() if self.scripts[wire] else self.default

    def reset(self):
        with self.lock:
            for queue in self.scripts.values():
                queue.clear()
            self.default = "ok"
            self.requests.clear()
            self.holding.clear()
            self.release_event.clear()

    def release(self):
        self.release_event.set()

    def stop(self):
        self.release()
        super().stop()

    @property
    def gemini_url(self):
        return self.base_url

    @property
    def openai_url(self):
        return self.base_url + "/v1"
