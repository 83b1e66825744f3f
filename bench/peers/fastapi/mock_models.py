"""The mock models: their timing, their text and the token counts in `usage`.

The rules follow agentloop's mock (llm-service TextGenerator and Generation): a token is a word
with its leading space; an answer has `max_tokens` tokens when the request gives it (finish reason
"length"), else the model's `tokens` ("stop"); echo models repeat the last user message's words;
prompt_tokens = 3 + sum over messages of (3 + words in the message's text).
"""

import asyncio
import json
import os
import random
import re
import zlib
from typing import AsyncIterator, Dict, List, Optional

from pydantic import BaseModel, StrictBool, StrictStr, conint, parse_obj_as

WORDS = ("the a an agent loop event token stream model answer request reply message "
         "future promise verticle thread bus cluster node gateway server client latency throughput buffer queue "
         "timer signal state value result error retry timeout fallback circuit breaker storage record file "
         "database query row column index page cursor batch job task plan tool call step output input "
         "quick steady simple careful eager lazy bounded concurrent parallel async ordered durable "
         "runs waits returns sends receives writes reads holds frees spreads measures streams answers "
         "while before after because until when then so and but with without over under into from").split(" ")

# Java's String.trim() and the regex \s+ that agentloop counts words with (ASCII whitespace only).
_JAVA_SPACE = re.compile(r"[ \t\n\x0b\f\r]+")


class ModelSpec(BaseModel):
    """One entry of the models list, the shape of agentloop's `llm.models` (failure_rate is not modelled)."""
    id: StrictStr
    first_token_ms: conint(strict=True, ge=0, le=600_000) = 0
    per_token_ms: conint(strict=True, ge=0, le=600_000) = 0
    tokens: conint(strict=True, ge=0, le=1_000_000) = 16
    echo: StrictBool = False


def load_models() -> Dict[str, ModelSpec]:
    """Reads TWIN_MODELS: a JSON array of model specs, inline or as a file path."""
    source = os.environ.get("TWIN_MODELS") or os.path.join(os.path.dirname(__file__), "models.json")
    if source.lstrip().startswith("["):
        text = source
    else:
        with open(source, encoding="utf-8") as file:
            text = file.read()
    specs = parse_obj_as(List[ModelSpec], json.loads(text))
    models = {spec.id: spec for spec in specs}
    if len(models) != len(specs):
        raise ValueError("a model id is listed twice")
    return models


if __name__ == "__main__":
    # run.sh checks the models once before starting workers: uvicorn's supervisor would otherwise
    # wait forever on workers that died importing the app.
    try:
        print("fastapi-twin: models " + ", ".join(sorted(load_models())))
    except (OSError, ValueError) as e:
        raise SystemExit(f"fastapi-twin: bad TWIN_MODELS: {e}")


def java_words(text: str) -> List[str]:
    trimmed = text.strip("".join(chr(c) for c in range(0x21)))
    return _JAVA_SPACE.split(trimmed) if trimmed else []


def prompt_tokens(texts: List[str]) -> int:
    return 3 + sum(3 + len(java_words(t)) for t in texts)


def usage(prompt: int, completion: int) -> dict:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


class Answer:
    """The tokens of one answer: deterministic for the model, the messages' text and max_tokens."""

    def __init__(self, spec: ModelSpec, texts: List[str], last_user: str, max_tokens: Optional[int]):
        self.spec = spec
        self.finish_reason = "length" if max_tokens is not None else "stop"
        if spec.echo:
            self.words = java_words(last_user)
            self.total = 0 if not self.words else max_tokens if max_tokens is not None else len(self.words)
            self.random = None
        else:
            self.words = None
            self.total = max_tokens if max_tokens is not None else spec.tokens
            seed = zlib.crc32("\0".join([spec.id, str(max_tokens), *texts]).encode())
            self.random = random.Random(seed)

    def _token(self, i: int, sentence_left: int):
        if self.words is not None:
            word = self.words[i % len(self.words)]
        else:
            start = sentence_left == 0
            if start:
                sentence_left = 5 + self.random.randrange(10)
            word = self.random.choice(WORDS)
            if start:
                word = word.capitalize()
            sentence_left -= 1
            if sentence_left == 0 or i == self.total - 1:
                word += "."
        return (word if i == 0 else " " + word), sentence_left

    async def tokens(self) -> AsyncIterator[str]:
        """Yields the tokens on the model's schedule: the first after first_token_ms, then one every
        per_token_ms. Each wait is to the next due time, not a fixed sleep, so lateness does not add up."""
        loop = asyncio.get_running_loop()
        due = loop.time() + self.spec.first_token_ms / 1000
        gap = self.spec.per_token_ms / 1000
        sentence_left = 0
        for i in range(self.total):
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            token, sentence_left = self._token(i, sentence_left)
            yield token
            due += gap
