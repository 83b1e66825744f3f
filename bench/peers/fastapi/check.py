"""Checks the twin against agentloop's mock port: the same requests must give the same statuses,
the same JSON shapes (keys and value types, not the words), the same usage, finish reasons and
token counts, and streams paced as the model says.

    /usr/bin/python3 bench/peers/fastapi/check.py TWIN_URL MOCK_URL
e.g. check.py http://127.0.0.1:8090 http://127.0.0.1:8081 (both serving the default models).
Exits 1 on the first difference, naming the request.
"""

import http.client
import json
import sys
import time
from urllib.parse import urlparse

USER = {"role": "user", "content": "Say  something\tabout event loops. "}
CASES = [
    {"model": "mock-fast", "messages": [USER]},
    {"model": "mock-fast", "max_tokens": 5, "messages": [{"role": "system", "content": "Be brief."}, USER]},
    {"model": "mock-fast", "max_completion_tokens": 7, "messages": [
        {"role": "user", "content": [{"type": "text", "text": "two parts"}, {"type": "image_url"},
                                     {"type": "text", "text": "joined by a newline"}]},
        {"role": "assistant", "content": None}, {"role": "user", "content": ""}]},
    {"model": "mock-echo", "messages": [USER]},
    {"model": "mock-echo", "max_tokens": 11, "messages": [USER]},
    {"model": "mock-echo", "messages": [{"role": "user", "content": "   "}]},
    {"model": "mock-realistic", "messages": [USER]},
]
BAD = [b"", b"{bad", b"[]", b'{"model":"mock-fast"}', b'{"model":"mock-fast","messages":[]}',
       b'{"model":"mock-fast","messages":[{"role":"bob","content":"x"}]}',
       b'{"model":"mock-fast","max_tokens":0,"messages":[{"role":"user","content":"x"}]}',
       b'{"model":"mock-fast","stream":"yes","messages":[{"role":"user","content":"x"}]}',
       b'{"model":"mock-fast","n":2,"messages":[{"role":"user","content":"x"}]}',
       b'{"model":"mock-fast","stream_options":{},"messages":[{"role":"user","content":"x"}]}',
       b'{"model":"nope","messages":[{"role":"user","content":"x"}]}']
VOLATILE = {"id", "created", "content", "owned_by"}


def post(base, body: bytes):
    url = urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("POST", "/v1/chat/completions", body, {"content-type": "application/json"})
    return conn, conn.getresponse()


def shape(value, key=None):
    """The value with words, ids and times replaced by their types."""
    if isinstance(value, dict):
        return {k: shape(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__ if key in VOLATILE else value


def plain(base, case):
    conn, resp = post(base, json.dumps(case).encode())
    out = resp.status, json.loads(resp.read())
    conn.close()
    return out


def streamed(base, case):
    """Status, the events' shapes, the tokens' content, time to first token and the gaps, in ms."""
    sent = time.monotonic()
    conn, resp = post(base, json.dumps({**case, "stream": True, "stream_options": {"include_usage": True}}).encode())
    events, tokens, times = [], [], []
    while resp.status == 200:
        line = resp.readline().decode()
        if not line or line == "data: [DONE]\n":
            events.append("[DONE]")
            break
        if line.startswith("data: "):
            data = json.loads(line[6:])
            events.append(shape(data))
            delta = data["choices"][0]["delta"] if data["choices"] else {}
            if delta.get("content"):
                tokens.append(delta["content"])
                times.append(time.monotonic())
    conn.close()
    gaps = [round((b - a) * 1000, 1) for a, b in zip(times, times[1:])]
    ttft = round((times[0] - sent) * 1000, 1) if times else None
    return resp.status, events, tokens, ttft, gaps


def fail(what, twin, mock):
    print(f"DIFFERENT {what}\n  twin: {twin}\n  mock: {mock}")
    sys.exit(1)


def main(twin, mock):
    for case in CASES:
        t, m = plain(twin, case), plain(mock, case)
        if t[0] != m[0] or shape(t[1]) != shape(m[1]):
            fail(f"plain {json.dumps(case)}", t, m)
        t, m = streamed(twin, case), streamed(mock, case)
        if t[0] != m[0] or t[1] != m[1] or len(t[2]) != len(m[2]):
            fail(f"stream {json.dumps(case)}", t[:3], m[:3])
        if case["model"] == "mock-echo" and t[2] != m[2]:
            fail(f"echo text {json.dumps(case)}", t[2], m[2])
        print(f"same: {case['model']} {len(t[2])} tokens; ttft twin {t[3]} / mock {m[3]} ms;"
              f" gaps twin {max(t[4], default=0)} / mock {max(m[4], default=0)} ms max")
    for body in BAD:
        t, m = post(twin, body)[1], post(mock, body)[1]
        if t.status != m.status or "error" not in json.loads(t.read()):
            fail(f"bad body {body!r}", t.status, m.status)
    print(f"same statuses and error shape for {len(BAD)} bad bodies")


if __name__ == "__main__":
    main(*sys.argv[1:3])
