"""What the HTTP API takes and gives: sessions, and the OpenAI chat-completions shapes it speaks.

>>> request = ChatCompletionRequest.model_validate(
...     {"model": "wenzhen", "messages": [{"role": "user", "content": [{"type": "text", "text": "头疼"}]}]})
>>> request.messages[0].text
'头疼'

The reply of a turn is :class:`wenzhen.agent.session.Reply`; on the OpenAI-compatible endpoint it travels in
the extra field ``wenzhen`` (with the session id), which ordinary clients ignore.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from wenzhen.agent.session import Reply


class Problem(BaseModel):
    """Every error: what went wrong, and the request id to quote."""

    error: str
    detail: str
    request_id: str


class SessionCreated(BaseModel):
    session_id: str


class PatientMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="What the patient says.")


class HistoryMessage(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class SessionHistory(BaseModel):
    session_id: str
    messages: list[HistoryMessage]


class TextPart(BaseModel):
    type: Literal["text"]
    text: str


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[TextPart] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text for part in self.content)
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")  # temperature, top_p …: the consultation decides

    model: str
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False


def conversation_digest(owner: str, messages: list[tuple[str, str]]) -> str:
    """A resent conversation's identity: the key that sent it and its user and assistant turns."""
    said = [(role, text.strip()) for role, text in messages if role in ("user", "assistant")]
    return hashlib.sha256(json.dumps([owner, said], ensure_ascii=False).encode()).hexdigest()


class Extra(BaseModel):
    """The consultation's reply beside the OpenAI fields."""

    session_id: str
    reply: Reply


def completion(completion_id: str, created: int, model: str, extra: Extra) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": extra.reply.text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "wenzhen": extra.model_dump(mode="json"),
    }


def completion_chunk(
    completion_id: str,
    created: int,
    model: str,
    content: str | None,
    extra: Extra | None = None,
) -> dict[str, Any]:
    """One streamed piece; the last has no content, ``finish_reason`` stop and the reply in ``wenzhen``."""
    delta: dict[str, Any] = {} if content is None else {"role": "assistant", "content": content}
    chunk: dict[str, Any] = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": None if extra is None else "stop"}],
    }
    if extra is not None:
        chunk["wenzhen"] = extra.model_dump(mode="json")
    return chunk


def model_list(model: str, created: int) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": model, "object": "model", "created": created, "owned_by": "wenzhen"}],
    }
