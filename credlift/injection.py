"""Injection defence around a model: text from applicants and from documents is screened before a model sees it,
and every model reply is checked against the policy engine's decision before the applicant sees it.

Before the model (`screen`, `as_data`): text that tries to instruct a model (ignore the rules, change role,
reveal the prompt, approve or set an amount, fake chat markup) is flagged; a flagged message never reaches the
model (the deterministic reply answers it, and earlier flagged turns are withheld from the history), and what
is sent is wrapped as data with its markup neutralised.

After the model (`check_reply`): no decision word the decision does not support (approval words without an
approval, decline words without a decline), no promise, no stretch of the system prompt or tool descriptions. A
failed check replaces the whole reply with the deterministic one. Numbers and clause ids are checked sentence by
sentence by `guard.enforce`.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pydantic import BaseModel, Field

from credlift.domain import LimitDecision

# --- before the model ----------------------------------------------------------------------------------------
_INSTRUCTION_PATTERNS: dict[str, str] = {
    "override": r"ignore|disregard|override|bypass|无视|忽略|忽视|不要理会|不用管|别管|绕过|抛开|撇开",
    "rules": (r"rules?|instructions?|guidelines?|polic(?:y|ies)|prompt|above|previous|prior|earlier|"
              r"规则|指令|指示|提示|要求|规定|政策|设定|限制|以上|之前|上面|前面"),
    "forget": r"forget\s+(?:all|everything|your|the|previous|prior)|忘(?:掉|记)(?:你的|所有|全部|之前的|以上的)?(?:规则|指令|设定|提示)",
    "role": (r"you\s+are\s+(?:now|no\s+longer)|act\s+as|pretend|role[- ]?play|from\s+now\s+on|new\s+persona|"
             r"developer\s+mode|\bdan\b|jailbreak|你现在是|你是一个|扮演|假装|从现在开始|从现在起|开发者模式|越狱|"
             r"角色"),
    "reveal": (r"system\s+prompt|initial\s+prompt|your\s+(?:instructions|prompt|rules)|(?:repeat|print|show|reveal|"
               r"output|tell\s+me|what\s+(?:is|are))\s+(?:me\s+)?(?:your|the)\s+(?:system|hidden|initial|original|"
               r"secret)|verbatim|系统提示|提示词|系统消息|系统指令|你的指令|你的规则|你的设定|原始指令|复述|逐字|"
               r"原样输出|输出你的|打印你的|告诉我你的(?:指令|规则|提示|设定)"),
    "decide": (r"\b(?:just\s+)?approve\s+(?:me|my|it|this|the\s+(?:application|request|increase)|now)\b|"
               r"(?:set|change|raise|increase|make|bump|update|put)\s+(?:my\s+|the\s+)?(?:credit\s+)?limit\s+"
               r"(?:to|=|at)\s*[¥￥$]?\s*\d|(?:give|grant)\s+me\s+(?:a\s+|an\s+|the\s+)?(?:[¥￥$]?\s*\d|approval|"
               r"increase)|mark\s+(?:it|me|this|my\s+\w+)\s+(?:as\s+)?approved|\bapproved?\b[^.。\n]{0,20}\d{4,}|"
               r"批准我|给我批|帮我批|直接批|批了吧|直接通过|给我通过|提额到|额度(?:改|调|设|提|升|加)(?:为|到|成)|"
               r"(?:提|升|加|调|改)(?:到|为|成)\s*[¥￥]?\s*\d{3,}|给我(?:提|加)额|马上放款"),
    "speak_for": (r"(?:say|reply|respond|answer|write|output|print)(?:\s+(?:only|exactly|with|that|just|back))*\s*"
                  r"[\"'“‘「:：]|(?:回复|回答|输出|说|打印|写)(?:一句|一下)?\s*[:：\"“‘「]|只回复|只回答|照着说|跟我说|请说"),
    "markup": (r"<\|?(?:im_start|im_end|system|assistant|endoftext)|\[/?INST\]|</?s>|###\s*(?:system|instruction)|"
               r"^\s*(?:system|assistant|developer)\s*[:：]|<\s*/?\s*(?:applicant_message|system|document)\s*>"),
}
_COMPILED = {kind: re.compile(pattern, re.IGNORECASE | re.MULTILINE) for kind, pattern in _INSTRUCTION_PATTERNS.items()}
_OVERRIDE_WINDOW = 24  # an override word and a rules word within this many characters is an override attempt


class Screened(BaseModel):
    text: str
    flags: list[str] = Field(default_factory=list, description="kinds of instruction found (empty: plain data)")

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


def _fold(text: str) -> str:
    """NFKC (full-width letters, compatibility forms) and zero-width characters removed: the screen sees through
    the usual disguises."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\u200b-\u200f\u2060\ufeff\u00ad]", "", text)


def screen(text: str) -> Screened:
    folded = _fold(text or "")
    flags: list[str] = []
    for match in _COMPILED["override"].finditer(folded):
        nearby = folded[match.end():match.end() + _OVERRIDE_WINDOW]
        if _COMPILED["rules"].search(nearby):
            flags.append("override")
            break
    for kind in ("forget", "role", "reveal", "decide", "speak_for", "markup"):
        if _COMPILED[kind].search(folded):
            flags.append(kind)
    return Screened(text=text, flags=flags)


def as_data(text: str, source: str = "applicant_message") -> str:
    """The text as the model sees it: inside a data tag, with any tag-like or chat-markup text defused."""
    cleaned = _fold(text).replace("<", "‹").replace(">", "›")
    return f"<{source}>\n{cleaned}\n</{source}>"


def screen_fields(fields: dict, names: Iterable[str]) -> tuple[dict, list[str]]:
    """Fields read from a document, minus those whose text tries to instruct a model; (kept, dropped names)."""
    kept, dropped = {}, []
    for name in names:
        value = fields.get(name)
        if value in (None, ""):
            continue
        if isinstance(value, str) and screen(value).flagged:
            dropped.append(name)
            continue
        kept[name] = value
    return kept, dropped


# --- after the model -----------------------------------------------------------------------------------------
_APPROVAL = re.compile(
    r"批准|批下|通过了|已通过|审批通过|申请通过|获批|已提额|提额成功|已提升|已为您提|已经为您提|已上调|已调高|已提高|已增加|额度已|"
    r"成功提升|\bapprov(?:ed|al|e)\b|\bgranted\b|\bgrant(?:ing)?\s+you\b|(?:limit|credit)\s+(?:has|have|is|was)\s+"
    r"(?:been\s+)?(?:raised|increased|upgraded|boosted|set)|(?:raised|increased|upgraded|boosted)\s+your\s+limit|"
    r"\bcongratulations\b|恭喜", re.IGNORECASE)
_DECLINE = re.compile(r"拒绝|未通过|没有通过|不予|驳回|\bdeclin(?:ed|e)\b|\breject(?:ed)?\b|\bdenied\b|\bturned\s+down\b",
                      re.IGNORECASE)
_PROMISE = re.compile(
    r"保证|承诺|一定(?:会|能|可以)|肯定(?:会|能|可以)|百分之百|100\s*%|包(?:过|批|你)|\bguarantee[ds]?\b|\bpromise[ds]?\b|"
    r"\bwill\s+(?:definitely|certainly|surely)\b|\bfor\s+sure\b|\bi\s+(?:have|'ve)\s+(?:approved|raised|increased|"
    r"changed|updated|set)\b|我(?:已经|已)?(?:为您|给您|帮您)?(?:批准|提额|调整|修改|提高|提升|设置)了", re.IGNORECASE)
_REFUSAL_CONTEXT = re.compile(r"can(?:no|')t|cannot|unable|not\s+able|won't|不能|无法|不可以|没办法|不会", re.IGNORECASE)
_LEAK_CHARS_CJK = 10   # a run of this many of the prompt's Chinese characters (punctuation and spaces ignored)
_LEAK_CHARS_LATIN = 28  # a run of this many of the prompt's Latin letters and digits (~5 words)
# Stretches the prompt shares with what credlift says anyway (reply templates) are no leak.
_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)


class ReplyCheck(BaseModel):
    problems: list[str] = Field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def applicant_outcome(decision: LimitDecision | None, review_outcome: str = "") -> str:
    """What the applicant has been told the engine decided: approve, decline, review or none."""
    if decision is None:
        return "none"
    if decision.kind == "refer":
        return review_outcome.replace("approved", "approve").replace("declined", "decline") or "review"
    return decision.kind


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。！？!?；;\n])|(?<=[.])\s+", text) if s.strip()]


def _decision_words(text: str, outcome: str) -> list[str]:
    problems = []
    for sentence in _sentences(text):
        approval = _APPROVAL.search(sentence)
        if approval and outcome != "approve":
            problems.append(f"decision word '{approval.group(0)}' but the decision is {outcome}")
        decline = _DECLINE.search(sentence)
        if decline and outcome not in ("decline",) and not _REFUSAL_CONTEXT.search(sentence):
            problems.append(f"decision word '{decline.group(0)}' but the decision is {outcome}")
    return problems


def _normalised(text: str) -> str:
    return _NOT_TEXT.sub("", _fold(text).lower())


def _runs(text: str) -> tuple[set[str], set[str]]:
    """The prompt's Chinese and Latin character runs as shingles of the leak lengths."""
    cjk = "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")
    latin = "".join(ch for ch in text if ch.isascii() and ch.isalnum())
    return ({cjk[i:i + _LEAK_CHARS_CJK] for i in range(max(0, len(cjk) - _LEAK_CHARS_CJK + 1))},
            {latin[i:i + _LEAK_CHARS_LATIN] for i in range(max(0, len(latin) - _LEAK_CHARS_LATIN + 1))})


def prompt_overlap(text: str, secrets: Iterable[str], public: str = "") -> str | None:
    """The first stretch of a secret (system prompt, tool descriptions) repeated in `text`, or None. Stretches also
    found in `public` (what credlift says anyway) do not count."""
    reply_cjk, reply_latin = _runs(_normalised(text))
    public_cjk, public_latin = _runs(_normalised(public)) if public else (set(), set())
    for secret in secrets:
        secret_cjk, secret_latin = _runs(_normalised(secret))
        for found in sorted(((reply_cjk & secret_cjk) - public_cjk) | ((reply_latin & secret_latin) - public_latin)):
            return found
    return None


def check_reply(text: str, decision: LimitDecision | None, review_outcome: str = "",
                secrets: Iterable[str] = (), public: str = "") -> ReplyCheck:
    outcome = applicant_outcome(decision, review_outcome)
    problems = _decision_words(text, outcome)
    promise = _PROMISE.search(_fold(text))
    if promise:
        problems.append(f"promise '{promise.group(0)}'")
    leaked = prompt_overlap(text, secrets, public)
    if leaked:
        problems.append(f"repeats the system prompt ('{leaked[:12]}...')")
    markup = _COMPILED["markup"].search(_fold(text))
    if markup:
        problems.append("chat markup in the reply")
    return ReplyCheck(problems=problems)
