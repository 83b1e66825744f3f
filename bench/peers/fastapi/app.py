"""The FastAPI twin of agentloop's mock port: the asyncio + FastAPI stack, written the way its
guides teach (async routes, Pydantic request models, asyncio.sleep pacing, an async generator
behind StreamingResponse), serving the same Chat Completions API for the benchmark to compare.

Run it with run.sh; the models come from TWIN_MODELS (see mock_models.load_models).
"""

import asyncio
import logging
import os
import signal
import time
import uuid

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

import mock_models as mock
import chat_wire as wire

log = logging.getLogger("uvicorn.error")
MODELS = mock.load_models()
SSE_HEADERS = {"cache-control": "no-cache", "x-accel-buffering": "no"}

app = FastAPI(title="agentloop FastAPI twin", docs_url=None, redoc_url=None, openapi_url=None)
open_streams = 0  # streams this worker is serving now (per worker process)
stopping = False  # set by SIGTERM: open streams end with an error event at their next token


@app.on_event("startup")
async def ready() -> None:
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop)
    log.info("fastapi-twin: worker %d ready, models %s", os.getpid(), ", ".join(sorted(MODELS)))


def stop() -> None:
    """uvicorn 0.17 has no graceful-shutdown timeout: on SIGTERM it waits for every open response, so
    a held stream would keep the process up for its whole length. This ends open streams first, then
    hands over to uvicorn's own exit (its SIGINT handler; a second SIGTERM forces the exit)."""
    global stopping
    stopping = True
    signal.raise_signal(signal.SIGINT)


@app.exception_handler(RequestValidationError)
async def bad_request(request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0]
    if first["type"] == "value_error.jsondecode":
        return JSONResponse(wire.error(400, "We could not parse the JSON body of your request."), status_code=400)
    param = wire.param_path(first["loc"])
    message = f"Invalid '{param}': {first['msg']}." if param else f"Invalid request body: {first['msg']}."
    return JSONResponse(wire.error(400, message, param, first["type"]), status_code=400)


@app.exception_handler(StarletteHTTPException)
async def http_error(request, exc: StarletteHTTPException) -> JSONResponse:
    message = f"Invalid URL ({request.method} {request.url.path})" if exc.status_code == 404 else str(exc.detail)
    return JSONResponse(wire.error(exc.status_code, message), status_code=exc.status_code)


def model_not_found(model: str) -> JSONResponse:
    return JSONResponse(wire.error(404, f"The model `{model}` does not exist or you do not have access to it.",
                                   "model", "model_not_found"), status_code=404)


def model_entry(model_id: str) -> dict:
    return {"id": model_id, "object": "model", "created": wire.MODELS_CREATED, "owned_by": "fastapi-twin"}


@app.get("/v1/models")
async def list_models():
    return {"object": "list", "data": [model_entry(m) for m in sorted(MODELS)]}


@app.get("/v1/models/{model_id}")
async def get_model(model_id: str):
    return model_entry(model_id) if model_id in MODELS else model_not_found(model_id)


@app.get("/health/live")
async def live():
    return {"status": "UP", "pid": os.getpid(), "open_streams": open_streams}


@app.post("/v1/chat/completions")
async def chat_completions(body: wire.ChatRequest):
    spec = MODELS.get(body.model)
    if spec is None:
        return model_not_found(body.model)
    texts = [m.text() for m in body.messages]
    answer = mock.Answer(spec, texts, body.last_user_text(), body.token_limit())
    usage = mock.usage(mock.prompt_tokens(texts), answer.total)
    cid = "chatcmpl-" + uuid.uuid4().hex
    created = int(time.time())
    if body.stream:
        return StreamingResponse(sse(answer, cid, created, body.model, usage, body.include_usage()),
                                 media_type="text/event-stream", headers=SSE_HEADERS)
    content = "".join([token async for token in answer.tokens()])
    return wire.completion(cid, created, body.model, content, answer.finish_reason, usage)


async def sse(answer: mock.Answer, cid: str, created: int, model: str, usage: dict, include_usage: bool):
    """The stream's events: role chunk, one chunk per token, finish chunk, usage chunk, [DONE].
    When the client goes away Starlette cancels this generator inside its asyncio.sleep."""
    global open_streams
    open_streams += 1
    try:
        yield wire.event(wire.chunk(cid, created, model, wire.ROLE_DELTA, None, include_usage))
        async for token in answer.tokens():
            if stopping:
                yield wire.event(wire.error(503, "The server is shutting down.", None, "service_unavailable"))
                return
            yield wire.event(wire.chunk(cid, created, model, {"content": token}, None, include_usage))
        tail = wire.event(wire.chunk(cid, created, model, {}, answer.finish_reason, include_usage))
        if include_usage:
            tail += wire.event(wire.usage_chunk(cid, created, model, usage))
        yield tail + wire.DONE
    finally:
        open_streams -= 1
