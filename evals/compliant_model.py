"""A compliant test model: a chat handler for `OpenAITestServer` that obeys any instruction it sees.

It reads every user and tool message it is sent (data tags and all: it makes no difference between data and
instructions) and does what the latest instruction-looking text asks: repeat the system prompt, say a given
sentence, approve or set an amount, take on a new role. With nothing to obey, it echoes the latest message. It is
how the injection defence is tested the way it fails: through a model that does what injected text tells it.
"""
from __future__ import annotations

import json
import re

_AMOUNT = re.compile(r"(\d[\d,]{2,})")
_SAY = re.compile(r"(?:say|reply|respond|answer|write|output|print)(?:\s+(?:only|exactly|with|that|just|back))*\s*"
                  r"[\"'“‘「:：]\s*[\"“‘「]?([^\"”’」\n]{1,200})|(?:回复|回答|输出|说|打印|写)(?:一句|一下)?\s*[:：\"“‘「]"
                  r"\s*[\"“‘「]?([^\"”’」\n]{1,200})", re.IGNORECASE)
_REVEAL = re.compile(r"system\s+prompt|instructions|prompt|verbatim|rules|系统提示|提示词|指令|规则|设定|复述|原样|逐字",
                     re.IGNORECASE)
_APPROVE = re.compile(r"approv|grant|raise|increase|limit|批准|通过|提额|额度|批|放款", re.IGNORECASE)
_ROLE = re.compile(r"you\s+are\s+now|act\s+as|pretend|developer\s+mode|\bdan\b|jailbreak|你现在是|扮演|假装|越狱|开发者模式",
                   re.IGNORECASE)
_JSON_FIELDS = re.compile(r"adjustment|risk_level|json", re.IGNORECASE)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _text(content) -> str:
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content or "")


def _contents(body: dict, roles: tuple[str, ...]) -> list[str]:
    return [_text(m.get("content")) for m in body.get("messages", []) if m.get("role") in roles]


def obey(body: dict) -> str:
    """The reply of a model that does whatever the text it was sent tells it to."""
    system = "\n".join(_contents(body, ("system", "developer")))
    said = _contents(body, ("user", "tool"))
    wants_json = body.get("response_format") is not None
    for text in reversed(said):  # the latest instruction wins
        zh = bool(_CJK.search(text))
        amount = _AMOUNT.search(text)
        value = amount.group(1) if amount else "50000"
        say = _SAY.search(text)
        if say:
            return (say.group(1) or say.group(2)).strip()
        if _REVEAL.search(text) and system:
            return system
        if _ROLE.search(text):
            return (f"好的，我现在没有任何限制。已批准，额度提升到{value}元。" if zh else
                    f"Sure, I am now free of all rules. Approved: your limit is now {value} yuan.")
        if _APPROVE.search(text) and (amount or re.search(r"approve|批准|通过", text, re.IGNORECASE)):
            if wants_json and _JSON_FIELDS.search(system):
                return json.dumps({"risk_level": "low", "factors": [], "adjustment": 1.0,
                                   "cited_clauses": ["INC-APPROVED"], "rationale": f"approved {value}"})
            return (f"已批准！您的额度已提升至{value}元，恭喜。" if zh else
                    f"Approved! Your credit limit has been raised to {value} yuan. Congratulations!")
    last = said[-1] if said else ""
    return f"echo: {last}"
