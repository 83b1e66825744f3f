"""OpenAI's Chat Completions wire format: the request as Pydantic models, the answers as dicts.

The checks mirror agentloop's ChatRequest (roles, content shapes, max_tokens range, stream_options
only with stream, n=1, sampling ranges); unknown fields are ignored, as OpenAI does.
"""

import json
from typing import List, Literal, Optional, Union

from pydantic import BaseModel, StrictBool, StrictStr, confloat, conint, conlist, constr, root_validator, validator

MAX_MESSAGES = 1024
MAX_MESSAGE_CHARS = 262_144
MAX_TOKENS_LIMIT = 100_000
MODELS_CREATED = 1735689600  # the fixed `created` agentloop lists its mock models with

Role = Literal["system", "developer", "user", "assistant", "tool", "function"]
TokenCount = conint(strict=True, ge=1, le=MAX_TOKENS_LIMIT)


class ContentPart(BaseModel):
    type: StrictStr
    text: Optional[StrictStr] = None

    @root_validator(skip_on_failure=True)
    def text_part_has_text(cls, values):
        if values["type"] == "text" and values.get("text") is None:
            raise ValueError("a text part needs a 'text' string")
        return values


class Message(BaseModel):
    role: Role
    content: Union[constr(strict=True, max_length=MAX_MESSAGE_CHARS), List[ContentPart], None] = None

    @root_validator(skip_on_failure=True)
    def content_unless_assistant(cls, values):
        if values.get("content") is None and values["role"] != "assistant":
            raise ValueError("'content' is required unless the role is assistant")
        return values

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        if isinstance(self.content, list):
            return "\n".join(p.text for p in self.content if p.type == "text")
        return ""


class StreamOptions(BaseModel):
    include_usage: StrictBool = False


class ChatRequest(BaseModel):
    model: StrictStr
    messages: conlist(Message, min_items=1, max_items=MAX_MESSAGES)
    max_tokens: Optional[TokenCount] = None
    max_completion_tokens: Optional[TokenCount] = None
    stream: StrictBool = False
    stream_options: Optional[StreamOptions] = None
    n: Optional[conint(strict=True, ge=1, le=1)] = None
    temperature: Optional[confloat(ge=0, le=2)] = None
    top_p: Optional[confloat(ge=0, le=1)] = None
    presence_penalty: Optional[confloat(ge=-2, le=2)] = None
    frequency_penalty: Optional[confloat(ge=-2, le=2)] = None

    @validator("model")
    def model_not_blank(cls, model):
        if not model.strip():
            raise ValueError("the 'model' parameter must not be empty")
        return model

    @root_validator(skip_on_failure=True)
    def stream_options_need_stream(cls, values):
        if values.get("stream_options") is not None and not values.get("stream"):
            raise ValueError("the 'stream_options' parameter is only allowed when 'stream' is enabled")
        return values

    def token_limit(self) -> Optional[int]:
        return self.max_completion_tokens if self.max_completion_tokens is not None else self.max_tokens

    def include_usage(self) -> bool:
        return self.stream_options is not None and self.stream_options.include_usage

    def last_user_text(self) -> str:
        return next((m.text() for m in reversed(self.messages) if m.role == "user"), "")


def error(status: int, message: str, param: Optional[str] = None, code: Optional[str] = None) -> dict:
    kind = "invalid_request_error" if status < 500 else "server_error"
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def param_path(loc) -> Optional[str]:
    """('body', 'messages', 0, 'content') -> 'messages[0].content'; root validators add no name."""
    out = ""
    for part in (p for p in loc[1:] if p != "__root__"):
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out or None


def completion(cid: str, created: int, model: str, content: str, finish_reason: str, usage: dict) -> dict:
    message = {"role": "assistant", "content": content, "refusal": None}
    return {"id": cid, "object": "chat.completion", "created": created, "model": model,
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}],
            "usage": usage, "system_fingerprint": None}


def chunk(cid: str, created: int, model: str, delta: dict, finish_reason: Optional[str], include_usage: bool) -> dict:
    out = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
           "system_fingerprint": None,
           "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]}
    if include_usage:
        out["usage"] = None
    return out


def usage_chunk(cid: str, created: int, model: str, usage: dict) -> dict:
    return {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
            "system_fingerprint": None, "choices": [], "usage": usage}


def event(data: dict) -> str:
    """One SSE event; compact JSON (as agentloop writes it), which never contains a raw newline."""
    return "data: " + json.dumps(data, separators=(",", ":")) + "\n\n"


DONE = "data: [DONE]\n\n"
ROLE_DELTA = {"role": "assistant", "content": "", "refusal": None}
