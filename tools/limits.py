"""The policy engine: evidence in, an auditable LimitDecision out. Pure and deterministic given `today`.

Order of the rules (each one that applies adds a reason code; the first kind that applies wins):
1. documents: unreadable -> decline; not checked, tampered, AI-generated, not judged, suspicious, name mismatch,
   registry mismatch or not found, issuer unavailable -> refer to a person; a credential of no registered type
   that the taxonomy routes to review (knowledge/taxonomy) -> refer, never an increase (DOC-UNKNOWN); any other
   unknown type or failed field checks -> decline. Verified with the issuer: not judged / suspicious refer only at `issuer_verified_refer_score` (DOC-ISSUER).
2. the credential's base increase (INC-*), at a fraction when old (INC-RECENCY); below the CET line -> nothing.
3. financial health: recent delinquency, high utilisation, cooldown, a credential already counted -> decline.
4. risk: the scorecard's PD band scales the increase (RISK-PD); the worst band declines. A risk assessment's
   adjustment counts only inside `llm_adjustment_bounds` and only when it cites policy clauses.
5. caps: per credential type (CAP-TYPE), total limit by income band (CAP-INCOME); round down to 100 yuan.
Every number comes from knowledge/policy/parameters.yaml; every input used is recorded in `inputs`.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from credlift.domain.applicant import ApplicantProfile
from credlift.domain.authenticity import AuthenticityReport
from credlift.domain.credential import CREDENTIAL_TYPES, CredentialRecord, ValidationReport
from credlift.domain.decision import Counterfactual, LimitDecision, ReasonCode
from credlift.domain.risk import RiskAssessment, RiskScore
from credlift.tools.credentials import (INCREASE_CLAUSE, LEVEL_FIELD_ZH, LEVEL_FIELDS, LEVEL_NAMES,  # noqa: F401
                                        SPECS, TYPE_NAMES, spec_for)
from credlift.tools.policy_parameters import PolicyParameters, load_policy_parameters
from credlift.tools.risk.evidence import EvidenceShare, evidence_share
from credlift.tools.risk.features import credential_age_years, credential_level

# The clause ids the engine may cite: those fixed in the team brief, and each registered type's increase clause
# (its spec, tools/credentials). Live: a type registered later is in it.
FIXED_CLAUSE_IDS: frozenset[str] = frozenset({
    "INC-RECENCY", "RISK-PD", "CAP-UTIL", "CAP-DELINQ", "CAP-INCOME", "CAP-TYPE", "CAP-ONCE", "CAP-COOLDOWN",
    "CAP-WEAK", "DOC-AUTH", "DOC-VALID", "DOC-NAME", "DOC-PHOTO", "DOC-TYPES", "DOC-ISSUER", "DOC-UNKNOWN",
    "REV-MANUAL",
    "REV-APPEAL",
    "PRIV-DATA", "PRIV-RETAIN", "BUD-ADVICE", "HUMAN-HELP",
})


class _ClauseIds(frozenset):
    """FIXED_CLAUSE_IDS and every registered type's increase clause, read at each use."""

    def _all(self) -> frozenset[str]:
        return FIXED_CLAUSE_IDS | frozenset(INCREASE_CLAUSE.values())

    def __contains__(self, clause: object) -> bool:
        return clause in self._all()

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return f"POLICY_CLAUSE_IDS({sorted(self._all())!r})"


POLICY_CLAUSE_IDS: frozenset[str] = _ClauseIds()
# per credential type (names, clause, level field and level names): derived from tools/credentials
INCOME_NAMES = {"low": ("low", "较低"), "mid": ("middle", "中等"), "high": ("high", "较高")}

# code -> (clause ids, English sentence, Chinese sentence); sentences are str.format templates.
REASONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "INC_CREDENTIAL": (("{clause}",),
                       "Your {type_en}{level_en} counts for a base increase of {base} yuan.",
                       "您的{type_zh}{level_zh}可带来 {base} 元的基础提额。"),
    "INC_RECENCY_OLD": (("INC-RECENCY",),
                        "The credential is more than {years} years old, so it counts at {pct}%.",
                        "该证书已超过 {years} 年，按 {pct}% 计算。"),
    "RISK_PD_SCALED": (("RISK-PD",),
                       "Based on your account and your certificate, the increase is {pct}% of the base amount.",
                       "根据您的账户情况和证书，本次提额按基础额度的 {pct}% 计算。"),
    "RISK_PD_HIGH": (("RISK-PD",),
                     "For your account as it stands, mainly {factors_en}, the estimated risk that extra credit is "
                     "not repaid is above the line up to which an increase pays for itself, so the policy does not "
                     "give an increase this time.",
                     "根据您目前的账户情况（主要是{factors_zh}），提额后无法按时还款的估计风险高于提额的盈亏平衡线，"
                     "按政策这次暂时无法提额。"),
    "RISK_ADJUSTED": (("RISK-PD",),
                      "The risk review adjusted the increase by {pct}%.",
                      "风险评估将提额调整了 {pct}%。"),
    "CAP_TYPE": (("CAP-TYPE",),
                 "A {type_en} can add at most {cap} yuan in one application.",
                 "单次申请中，{type_zh}最多可提额 {cap} 元。"),
    "CAP_WEAK": (("CAP-WEAK",),
                 "A {type_en} is a screenshot, weaker evidence than a certificate its issuer can confirm, so it "
                 "adds at most {cap} yuan.",
                 "{type_zh}是截图，证明力弱于可向发证机构核实的证书，因此最多提额 {cap} 元。"),
    "CAP_INCOME": (("CAP-INCOME",),
                   "Your total limit is capped at {cap} yuan for the {income_en} income band.",
                   "{income_zh}收入档的总额度上限为 {cap} 元。"),
    "CAP_INCOME_REACHED": (("CAP-INCOME",),
                           "Your limit of {limit} yuan is already at the {cap} yuan cap for the {income_en} income band.",
                           "您当前 {limit} 元的额度已达到{income_zh}收入档 {cap} 元的上限。"),
    "CAP_UTIL": (("CAP-UTIL",),
                 "Your utilisation is {util}%, above the {max_util}% at which increases are paused.",
                 "您的额度使用率为 {util}%，超过 {max_util}%，暂不提额。"),
    "CAP_DELINQ": (("CAP-DELINQ",),
                   "You had {count} late payment(s) of 30+ days in the last 12 months, so no increase is possible now.",
                   "您在过去 12 个月内有 {count} 次 30 天以上逾期，目前无法提额。"),
    "CAP_ONCE": (("CAP-ONCE",),
                 "This certificate has already been used for an increase; each credential counts once.",
                 "该证书已用于提额，每份证书只计算一次。"),
    "CAP_COOLDOWN": (("CAP-COOLDOWN",),
                     "Your last increase was on {last}; the next one is possible from {next}.",
                     "您上次提额是在 {last}，{next} 起可再次申请。"),
    "INC_EVIDENCE": (("{clause}",),
                     "The repayment evidence for it is limited ({evidence_en}), so it counts at {pct}% of that: "
                     "{amount} yuan.",
                     "该证书的还款证据有限（{evidence_zh}），因此按 {pct}% 计算：{amount} 元。"),
    "CRED_NO_EVIDENCE": (("{clause}",),
                         "There is not yet enough repayment evidence for a {type_en}{level_en} to count for an "
                         "increase ({evidence_en}).",
                         "{type_zh}{level_zh}目前还没有足够的还款证据，暂不能计入提额（{evidence_zh}）。"),
    "CRED_BELOW_LINE": (("{clause}",),
                        "A CET score of {score} is below the {line} line, so it does not count for an increase.",
                        "{score} 分低于 {line} 分线，不计入提额。"),
    "CRED_LEVEL_UNREAD": (("DOC-VALID", "{clause}"),
                          "The {field} could not be read from the certificate, so it cannot count yet.",
                          "无法从证书上读取{field_zh}，暂不能计入。"),
    "DOC_UNREADABLE": (("DOC-PHOTO",),
                       "The photo could not be read{detail}.",
                       "照片无法识别{detail_zh}。"),
    "DOC_NOT_CHECKED": (("DOC-AUTH", "REV-MANUAL"),
                        "The document's checks could not be completed, so a person will review it.",
                        "证件核验未能完成，将由工作人员人工审核。"),
    "DOC_TAMPERED": (("DOC-AUTH", "REV-MANUAL"),
                     "The document shows signs of editing, so a person will review it before any change.",
                     "证件图像存在被修改的迹象，将由工作人员人工审核后再处理。"),
    "DOC_AI_GENERATED": (("DOC-AUTH", "REV-MANUAL"),
                         "The image looks generated rather than photographed, so a person will review it.",
                         "该图像疑似生成而非拍摄，将由工作人员人工审核。"),
    "DOC_NOT_JUDGED": (("DOC-AUTH", "REV-MANUAL"),
                       "We could not judge this photo automatically, so a colleague will look at it.",
                       "我们无法自动判断这张照片，将由同事人工查看。"),
    "DOC_SUSPICIOUS": (("DOC-AUTH", "REV-MANUAL"),
                       "Some authenticity checks were inconclusive, so a person will review the document.",
                       "部分真实性检查结果存疑，将由工作人员人工审核。"),
    "DOC_UNKNOWN_KIND": (("DOC-UNKNOWN", "REV-MANUAL"),
                         "This looks like a credential we have no increase table for ({kind_en}), so a colleague "
                         "will read it before anything changes; it does not raise your limit automatically.",
                         "这份文件看起来是{kind_zh}，它没有单独的提额标准，将由同事人工查看后再处理；它不会自动提高您的额度。"),
    "DOC_UNKNOWN_REVIEWED": (("DOC-UNKNOWN", "REV-MANUAL"),
                             "A colleague read your document ({kind_en}); the policy has no increase table for it yet, "
                             "so your limit stays as it is.",
                             "同事已查看您的文件（{kind_zh}）；政策目前还没有它的提额标准，因此您的额度保持不变。"),
    "DOC_TYPE_NOT_ACCEPTED": (("DOC-TYPES",),
                              "This kind of document is not one the policy accepts for an increase.",
                              "该类文件不在可用于提额的证书范围内。"),
    "DOC_NAME_MISMATCH": (("DOC-NAME", "REV-MANUAL"),
                          "The name on the certificate does not match the account holder, so a person will check it.",
                          "证书上的姓名与账户持有人不一致，将由工作人员核实。"),
    "DOC_HOLDER_MISMATCH": (("DOC-NAME", "REV-MANUAL"),
                            "The ID number, birth date or gender on the certificate is not the account holder's, so a "
                            "person will check it.",
                            "证书上的身份证号码、出生日期或性别与账户持有人不一致，将由工作人员核实。"),
    "DOC_REGISTRY_MISMATCH": (("DOC-VALID", "REV-MANUAL"),
                              "The issuer's record does not match the certificate, so a person will check it.",
                              "发证机构的记录与证书不一致，将由工作人员核实。"),
    "DOC_REGISTRY_NOT_FOUND": (("DOC-VALID", "REV-MANUAL"),
                               "The certificate was not found in the issuer's records, so a person will check it.",
                               "在发证机构记录中未找到该证书，将由工作人员核实。"),
    "DOC_ISSUER_VERIFIED": (("DOC-ISSUER",),
                            "The certificate was verified with the issuer: its records match what the page says.",
                            "该证书已向发证机构核验，发证机构的记录与证书内容一致。"),
    "DOC_ISSUER_UNAVAILABLE": (("DOC-ISSUER", "REV-MANUAL"),
                               "The issuer could not be reached to verify the certificate, so a person will review it; "
                               "this is not a decline.",
                               "暂时无法向发证机构核验该证书，将由工作人员人工审核；这不是拒绝。"),
    "DOC_INVALID": (("DOC-VALID",),
                    "Some details on the certificate did not pass the checks: {problems_en}",
                    "证书上的部分信息未通过核验：{problems_zh}"),
    "REVIEW_CLEARED": (("REV-MANUAL",),
                       "A person reviewed the document and cleared it.",
                       "工作人员已人工审核并确认该证件。"),
}
# validation findings that the certificate belongs to someone other than the account holder (besides the name)
HOLDER_CODES = frozenset({"ID_MISMATCH", "HOLDER_BIRTH_MISMATCH", "HOLDER_GENDER_MISMATCH"})
_FIELD_ZH = LEVEL_FIELD_ZH  # level field -> its Chinese name (each type's spec)


def reason(code: str, clause: str = "", **values: object) -> ReasonCode:
    clauses, text_en, text_zh = REASONS[code]
    ids = [c.format(clause=clause) for c in clauses]
    return ReasonCode(code=code, text_en=text_en.format(**values), text_zh=text_zh.format(**values),
                      clause_ids=[c for c in dict.fromkeys(ids) if c])


def credential_key(credential: CredentialRecord) -> str:
    """type + certificate number (CAP-ONCE); a fingerprint of the printed fields when no number is printed."""
    number = "".join(str(credential.field("certificate_number") or "").split()).upper()
    if number:
        return f"{credential.type}:{number}"
    level_fields = dict.fromkeys(field for spec in SPECS.values()
                                 for field in (spec.level_field, *(f for f, _ in spec.number_checks)))
    printed = "|".join(str(credential.field(k) or "") for k in
                       ("holder_name", "school", "competition", "issue_date", *(k for k in level_fields
                                                                                if k not in ("school", "competition"))))
    return f"{credential.type}:fp-{hashlib.sha256(printed.encode('utf-8')).hexdigest()[:16]}"


def base_increase(credential: CredentialRecord, params: PolicyParameters) -> tuple[int, str]:
    """(base increase in yuan, level code); 0 when the credential earns nothing at this level. How a type is
    priced is its spec's `pricing`; the amounts are credential_increase.<type> in parameters.yaml."""
    spec = spec_for(credential.type)
    table = params.credential_increase.for_type(credential.type)
    level = credential_level(credential)
    if spec is None or table is None:
        return 0, level
    if spec.pricing == "score_tiers":
        score = _number(credential.field(spec.level_field))
        if score is None:
            return 0, "unknown"
        return next((tier.increase for tier in table if score >= tier.min_score), 0), level
    if spec.pricing == "flat":
        return int(table), level
    return table.get(level, 0), level


@dataclass
class _Draft:
    reasons: list[ReasonCode] = field(default_factory=list)
    blocking: list[bool] = field(default_factory=list)
    counterfactuals: list[Counterfactual] = field(default_factory=list)
    refer: bool = False
    decline: bool = False

    def add(self, code: str, kind: str | None = None, clause: str = "", **values: object) -> None:
        self.reasons.append(reason(code, clause, **values))
        self.blocking.append(kind is not None)
        if kind == "refer":
            self.refer = True
        elif kind == "decline":
            self.decline = True

    def suggest(self, text_en: str, text_zh: str) -> None:
        if all(c.text_en != text_en for c in self.counterfactuals):
            self.counterfactuals.append(Counterfactual(text_en=text_en, text_zh=text_zh))


def decide(applicant: ApplicantProfile, credential: CredentialRecord, validation: ValidationReport | None,
           authenticity: AuthenticityReport | None, risk_score: RiskScore | None,
           assessment: RiskAssessment | None = None, today: date | None = None, *,
           review_cleared: bool = False) -> LimitDecision:
    """The decision for one credential. `review_cleared`: a person reviewed the document and cleared its
    authenticity, name, registry and field checks (REV-MANUAL); readability and every other rule still apply."""
    params = load_policy_parameters()
    today = today or date.today()
    draft = _Draft()
    key = credential_key(credential)
    inputs: dict = {
        "today": today.isoformat(),
        "policy_version": params.policy_version,
        "applicant": {
            "account_id": applicant.account_id, "current_limit": applicant.current_limit,
            "utilisation": applicant.utilisation, "months_on_book": applicant.months_on_book,
            "delinquent_last_12m": applicant.delinquent_last_12m, "income_band": applicant.income_band,
            "thin_file": applicant.thin_file,
            "last_increase_on": applicant.last_increase_on.isoformat() if applicant.last_increase_on else None,
            "counted_credentials": list(applicant.counted_credentials),
        },
        "credential": {"type": credential.type, "key": key,
                       "fields_used": {k: credential.field(k) for k in
                                       ("certificate_number", "issue_date", LEVEL_FIELDS.get(credential.type, ""))
                                       if k and credential.field(k) is not None}},
        "authenticity": (None if authenticity is None else
                         {"verdict": authenticity.verdict, "score": round(authenticity.score, 4),
                          "model_version": authenticity.model_version}),
        "validation": (None if validation is None else
                       {"ok": validation.ok, "error_codes": validation.error_codes,
                        "registry_status": validation.registry_status}),
        "risk_score": (None if risk_score is None else
                       {"probability_of_default": round(risk_score.probability_of_default, 6),
                        "baseline_probability_of_default": round(risk_score.baseline_probability_of_default, 6),
                        "band": risk_score.band, "model_version": risk_score.model_version}),
        "review_cleared": review_cleared,
    }

    _check_documents(draft, credential, validation, authenticity, review_cleared, params)
    base, level = (0, "")
    if credential.type in CREDENTIAL_TYPES and not draft.refer and not draft.decline:
        base, level = _credential_increase(draft, credential, params, today, inputs)
    if (validation is not None and validation.registry_status == "verified" and credential.type in CREDENTIAL_TYPES
            and (authenticity is None or authenticity.verdict != "unreadable")):  # said after what it earns
        draft.add("DOC_ISSUER_VERIFIED")
    _check_financial_health(draft, applicant, key, params, today)
    increase = _price(draft, applicant, credential, base, risk_score, assessment, params, inputs) if base else 0

    if draft.refer:
        kind = "refer"
    elif draft.decline or increase < params.rounding_unit:
        kind = "decline"
    else:
        kind = "approve"
    increase = increase if kind == "approve" else 0
    if kind == "approve":
        _suggest_other_credentials(draft, credential.type, params)
    # most important first: what blocked the increase, then what shaped the amount
    ordered = [r for r, b in zip(draft.reasons, draft.blocking) if b] + \
              [r for r, b in zip(draft.reasons, draft.blocking) if not b]
    draft.reasons = ordered if kind != "approve" else draft.reasons
    clause_ids = list(dict.fromkeys(c for r in draft.reasons for c in r.clause_ids))
    if kind == "refer":
        clause_ids += [c for c in ("REV-MANUAL", "HUMAN-HELP") if c not in clause_ids]
    elif kind == "decline":
        clause_ids += [c for c in ("REV-APPEAL",) if c not in clause_ids]
    return LimitDecision(kind=kind, current_limit=applicant.current_limit, new_limit=applicant.current_limit + increase,
                         increase=increase, reason_codes=draft.reasons, counterfactuals=draft.counterfactuals,
                         clause_ids=clause_ids, policy_version=params.policy_version, inputs=inputs,
                         credential_key=key)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _sentence_zh(text: str) -> str:
    text = text.strip().rstrip(".")
    return text if text.endswith(("。", "！", "？")) else text + "。"


# --- rule groups ------------------------------------------------------------------------------------------
def _check_documents(draft: _Draft, credential: CredentialRecord, validation: ValidationReport | None,
                     authenticity: AuthenticityReport | None, review_cleared: bool, params: PolicyParameters) -> None:
    retake = ("A sharp photo of the whole page, flat and without glare, would let us read it.",
              "请拍摄整页、平整、清晰、无反光的照片，我们就能识别。")
    if authenticity is not None and authenticity.verdict == "unreadable":
        detail = f": {authenticity.reason}" if authenticity.reason else ""
        draft.add("DOC_UNREADABLE", "decline", detail=detail, detail_zh="")  # the reason is an English sentence
        draft.suggest(*retake)
        return
    issuer_verified = validation is not None and validation.registry_status == "verified"
    if review_cleared:
        draft.add("REVIEW_CLEARED")
    else:
        if authenticity is None or validation is None:
            draft.add("DOC_NOT_CHECKED", "refer")
        elif authenticity.verdict == "tampered":
            draft.add("DOC_TAMPERED", "refer")
        elif authenticity.verdict == "ai_generated":
            draft.add("DOC_AI_GENERATED", "refer")
        elif issuer_verified and authenticity.score < params.issuer_verified_refer_score:
            pass  # the issuer confirmed what the page says: inconclusive pixels need no person (DOC-ISSUER)
        elif authenticity.verdict == "undetermined":  # outside what the checks were calibrated for: no accusation
            draft.add("DOC_NOT_JUDGED", "refer")
        elif authenticity.verdict == "suspicious" or authenticity.score >= params.authenticity_refer_score:
            draft.add("DOC_SUSPICIOUS", "refer")
    if credential.type not in CREDENTIAL_TYPES:
        from credlift.tools.extraction.generic import review_route

        unknown = review_route(credential)
        if unknown is not None:  # plausible but unpriced: a person reads it, and no table prices it (DOC-UNKNOWN)
            if review_cleared:
                draft.add("DOC_UNKNOWN_REVIEWED", "decline", kind_en=unknown[1], kind_zh=unknown[2])
            else:
                draft.add("DOC_UNKNOWN_KIND", "refer", kind_en=unknown[1], kind_zh=unknown[2])
            return
        draft.add("DOC_TYPE_NOT_ACCEPTED", "decline")
        names = list(TYPE_NAMES.values())
        draft.suggest("Accepted for an increase: " + ", ".join(en for en, _ in names[:-1]) + f" and {names[-1][0]}.",
                      "可用于提额的证书：" + "、".join(zh for _, zh in names[:-1]) + f"和{names[-1][1]}。")
        return
    if validation is None:
        return
    codes = validation.error_codes
    if not review_cleared:
        if any("NAME_MISMATCH" in c for c in codes):
            draft.add("DOC_NAME_MISMATCH", "refer")
        if any(c in HOLDER_CODES for c in codes):  # someone else's certificate, or a misreading: a person decides
            draft.add("DOC_HOLDER_MISMATCH", "refer")
        if validation.registry_status == "mismatch" or any("REGISTRY_MISMATCH" in c for c in codes):
            draft.add("DOC_REGISTRY_MISMATCH", "refer")
        elif validation.registry_status == "not_found":
            draft.add("DOC_REGISTRY_NOT_FOUND", "refer")
        elif validation.registry_status == "unavailable":  # the issuer is down or timed out: a person, never a decline
            draft.add("DOC_ISSUER_UNAVAILABLE", "refer")
    other = [c for c in codes if "NAME_MISMATCH" not in c and "REGISTRY_MISMATCH" not in c and c not in HOLDER_CODES]
    if other and not review_cleared:  # the reviewer checked the document with the issuer (REV-MANUAL)
        findings = [f for f in validation.findings if f.code in other and f.severity == "error"] or \
            [f for f in validation.findings if f.code in other]
        draft.add("DOC_INVALID", "decline",
                  problems_en=" ".join(_sentence(f.message) for f in findings),
                  problems_zh="".join(_sentence_zh(f.message_zh or "部分字段的格式或数值不符合规定") for f in findings))
        if "CREDENTIAL_EXPIRED" in other:  # a better photo cannot help: a renewed credential can
            draft.suggest("A renewed one, within its validity period, would count.", "续期后、在有效期内的证件即可计入。")
        else:
            draft.suggest(*retake)


def _credential_increase(draft: _Draft, credential: CredentialRecord, params: PolicyParameters, today: date,
                         inputs: dict) -> tuple[int, str]:
    ctype = credential.type
    type_en, type_zh = TYPE_NAMES[ctype]
    base, level = base_increase(credential, params)
    inputs["credential"].update({"level": level, "base_increase": base})
    clause = INCREASE_CLAUSE[ctype]
    scored = SPECS[ctype].pricing == "score_tiers"
    if level == "unknown" or (base == 0 and not scored):
        # a level the table does not know is treated like one that could not be read
        field_name = LEVEL_FIELDS[ctype]
        draft.add("CRED_LEVEL_UNREAD", "decline", clause=clause, field=field_name.replace("_", " "),
                  field_zh=_FIELD_ZH.get(field_name, field_name))
        draft.suggest("A sharp photo of the whole page, flat and without glare, would let us read it.",
                      "请拍摄整页、平整、清晰、无反光的照片，我们就能识别。")
        return 0, level
    if scored and base == 0:
        draft.add("CRED_BELOW_LINE", "decline", clause=clause, score=_number(credential.field("total_score")),
                  line=params.cet_pass_line)
        draft.suggest(f"A CET score of {params.cet_pass_line} or more would count; a graduation or degree certificate "
                      "would also count.", f"四六级成绩达到 {params.cet_pass_line} 分即可计入；毕业证书或学位证书也可以。")
        return 0, level
    level_en, level_zh = LEVEL_NAMES.get((ctype, level), ("", ""))
    if scored:
        score = int(_number(credential.field(SPECS[ctype].level_field)))
        level_en, level_zh = f" (score {score})", f"（{score} 分）"
    else:
        level_en, level_zh = (f" ({level_en})" if level_en else ""), (f"（{level_zh}）" if level_zh else "")
    share = evidence_share(ctype, level, rule=params.evidence)
    inputs["credential"]["evidence"] = share.model_dump()
    evidence_en, evidence_zh = _evidence_words(share, params)
    if share.percent <= 0:
        draft.add("CRED_NO_EVIDENCE", "decline", clause=clause, type_en=type_en, type_zh=type_zh, level_en=level_en,
                  level_zh=level_zh, evidence_en=evidence_en, evidence_zh=evidence_zh)
        draft.suggest("Another credential with more repayment evidence, for example a degree certificate, would count.",
                      "换一份还款证据更充分的证书（例如学位证书）即可计入。")
        return 0, level
    draft.add("INC_CREDENTIAL", clause=clause, type_en=type_en, type_zh=type_zh, level_en=level_en,
              level_zh=level_zh, base=base)
    if share.percent < 100:
        base = int(base * share.percent / 100)
        draft.add("INC_EVIDENCE", clause=clause, pct=share.percent, amount=base, evidence_en=evidence_en,
                  evidence_zh=evidence_zh)
    inputs["credential"]["base_after_evidence"] = base
    age = credential_age_years(credential, today)
    inputs["credential"]["age_years"] = None if age is None else round(age, 2)
    if age is None or age > params.recency.full_credit_years:
        # an unreadable issue date counts as old: the conservative reading
        base = int(base * params.recency.older_fraction)
        draft.add("INC_RECENCY_OLD", years=params.recency.full_credit_years,
                  pct=int(round(params.recency.older_fraction * 100)))
    return base, level


def _evidence_words(share: EvidenceShare, params: PolicyParameters) -> tuple[str, str]:
    """The evidence behind a share in a few words (en, zh)."""
    if share.why == "no_evidence":
        return "no study of its holders' repayment", "尚无持证人还款情况的研究"
    if share.why == "thin_cell":
        return (f"{share.holders:,} holders studied, fewer than the {params.evidence.min_holders:,} the policy needs",
                f"仅研究了 {share.holders:,} 位持证人，少于政策要求的 {params.evidence.min_holders:,} 位")
    lower = max(0.0, 1.0 - math.exp(share.bound)) * 100 if share.bound is not None else 0.0
    if share.why == "no_effect":
        return (f"{share.holders:,} holders studied; their lower default odds are not certain at 95% confidence",
                f"研究了 {share.holders:,} 位持证人，在 95% 置信度下不能确定其违约几率更低")
    return (f"at 95% confidence holders' odds of default are at least {lower:.0f}% lower, "
            f"from {share.holders:,} holders{'' if share.pooled_from is None else ' of the level below'}; "
            f"the full amount needs {(1 - math.exp(-params.evidence.full_credit_log_odds)) * 100:.0f}%",
            f"在 95% 置信度下持证人的违约几率至少低 {lower:.0f}%，基于 {share.holders:,} 位"
            f"{'' if share.pooled_from is None else '低一级证书的'}持证人；全额需要 "
            f"{(1 - math.exp(-params.evidence.full_credit_log_odds)) * 100:.0f}%")


def _check_financial_health(draft: _Draft, applicant: ApplicantProfile, key: str, params: PolicyParameters,
                            today: date) -> None:
    if applicant.delinquent_last_12m > params.max_delinquencies_last_12m:
        draft.add("CAP_DELINQ", "decline", count=applicant.delinquent_last_12m)
        draft.suggest("Twelve months without a 30-day late payment would make an increase possible.",
                      "连续 12 个月无 30 天以上逾期后即可申请提额。")
    if applicant.utilisation > params.max_utilisation_for_increase:
        max_balance = int(applicant.current_limit * params.max_utilisation_for_increase)
        draft.add("CAP_UTIL", "decline", util=_pct(applicant.utilisation),
                  max_util=_pct(params.max_utilisation_for_increase))
        draft.suggest(f"Bringing your balance to {max_balance} yuan or less "
                      f"({_pct(params.max_utilisation_for_increase)}% of your limit) would make an increase possible.",
                      f"将欠款降到 {max_balance} 元以下（额度的 {_pct(params.max_utilisation_for_increase)}%）即可申请提额。")
    if applicant.last_increase_on is not None:
        next_day = applicant.last_increase_on + timedelta(days=params.cooldown_days)
        if today < next_day:
            draft.add("CAP_COOLDOWN", "decline", last=applicant.last_increase_on.isoformat(), next=next_day.isoformat())
            draft.suggest(f"You can apply again from {next_day.isoformat()}.", f"您可在 {next_day.isoformat()} 起再次申请。")
    if key in applicant.counted_credentials:
        draft.add("CAP_ONCE", "decline")
        draft.suggest("A different credential, for example a degree certificate, would count.",
                      "换一份其他证书（例如学位证书）即可计入。")


def _price(draft: _Draft, applicant: ApplicantProfile, credential: CredentialRecord, base: int,
           risk_score: RiskScore | None, assessment: RiskAssessment | None, params: PolicyParameters,
           inputs: dict) -> int:
    """Base -> risk scaling -> bounded adjustment -> caps -> rounding down to the unit."""
    ctype = credential.type
    pd_ = risk_score.probability_of_default if risk_score is not None else 1.0
    band = next((b for b in params.pd_scaling if pd_ <= b.max_pd), params.pd_scaling[-1])
    last_positive = max((b.max_pd for b in params.pd_scaling if b.factor > 0), default=0.0)
    inputs["pricing"] = {"base_after_recency": base, "pd_band": band.band, "pd_factor": band.factor}
    if band.factor <= 0:
        factors_en, factors_zh = _risk_factors(risk_score)
        draft.add("RISK_PD_HIGH", "decline", pd=_pct(pd_, 1), max_pd=_pct(last_positive, 1), factors_en=factors_en,
                  factors_zh=factors_zh)
        _suggest_risk_steps(draft, applicant, risk_score, inputs["today"])
        return 0
    amount = base * band.factor
    if band.factor < 1.0:
        draft.add("RISK_PD_SCALED", band=band.band, pd=_pct(pd_, 1), pct=_pct(band.factor))
    adjustment, accepted, why = _accepted_adjustment(assessment, params)
    inputs["assessment"] = None if assessment is None else {
        "source": assessment.source, "risk_level": assessment.risk_level, "adjustment": assessment.adjustment,
        "cited_clauses": list(assessment.cited_clauses), "accepted": accepted, "why": why}
    if accepted and adjustment:
        amount *= 1.0 + adjustment
        draft.add("RISK_ADJUSTED", pct=f"{adjustment * 100:+.0f}")
    type_cap = params.type_cap(ctype, SPECS[ctype].weaker_evidence)
    if SPECS[ctype].weaker_evidence:  # a screenshot: no issuer can confirm it (CAP-WEAK), said whether it binds
        type_en, type_zh = TYPE_NAMES[ctype]
        draft.add("CAP_WEAK", type_en=type_en, type_zh=type_zh, cap=params.weak_evidence_cap)
        if amount > type_cap:
            amount = type_cap
    if amount > type_cap:
        amount = type_cap
        type_en, type_zh = TYPE_NAMES[ctype]
        draft.add("CAP_TYPE", type_en=type_en, type_zh=type_zh, cap=type_cap)
    income_cap = params.total_limit_cap_by_income[applicant.income_band]
    income_en, income_zh = INCOME_NAMES[applicant.income_band]
    room = income_cap - applicant.current_limit
    if room < params.rounding_unit:
        draft.add("CAP_INCOME_REACHED", "decline", limit=applicant.current_limit, cap=income_cap,
                  income_en=income_en, income_zh=income_zh)
        return 0
    if amount > room:
        amount = room
        draft.add("CAP_INCOME", cap=income_cap, income_en=income_en, income_zh=income_zh)
    unit = params.rounding_unit
    increase = int(amount // unit) * unit
    inputs["pricing"].update({"before_rounding": round(amount, 2), "increase": increase, "type_cap": type_cap,
                              "income_cap": income_cap})
    return increase


# what raises a scorecard estimate, in words (the features of tools/risk/features.py)
_RISK_FACTOR_NAMES = {
    "thin_file": ("a short credit record", "信用记录较少"),
    "months_on_book": ("a short time with us", "开户时间较短"),
    "utilisation": ("the balance you carry", "当前欠款"),
    "delinquent_last_12m": ("recent late payments", "近期逾期"),
    "income_band": ("your income band", "收入档位"),
}


def _risk_factors(risk_score: RiskScore | None) -> tuple[str, str]:
    """The two things that raise this estimate most: a thin file (its own segment) first, then the features whose
    points are most below a neutral account's."""
    if risk_score is None:
        return "no risk estimate was available", "暂无风险评估"
    names = (["thin_file"] if risk_score.thin_file else []) + \
        [f for f, points in sorted(risk_score.contributions.items(), key=lambda item: item[1])
         if points < 0 and f in _RISK_FACTOR_NAMES]
    if not names:
        return "the information on your account so far", "目前的账户信息"
    names = names[:2]
    return (" and ".join(_RISK_FACTOR_NAMES[n][0] for n in names), "、".join(_RISK_FACTOR_NAMES[n][1] for n in names))


def _suggest_risk_steps(draft: _Draft, applicant: ApplicantProfile, risk_score: RiskScore | None,
                        today_iso: str) -> None:
    """The next steps the scorecard says would bring the estimate under the line, only those that would."""
    if risk_score is not None and risk_score.utilisation_to_line is not None:
        balance = int(risk_score.utilisation_to_line * applicant.current_limit)
        draft.suggest(f"Bringing your balance to {balance} yuan or less would bring the estimate under the line; "
                      "then send the certificate again.",
                      f"把欠款还到 {balance} 元及以下，风险估计即可低于提额线，届时再次提交证书即可。")
    if risk_score is not None and risk_score.months_to_line is not None:
        months = risk_score.months_to_line
        when = _add_months(date.fromisoformat(today_iso), months).isoformat()
        draft.suggest(f"Keep repaying on time: with about {months} more month{'s' if months > 1 else ''} of history "
                      f"at today's balance the estimate would be under the line. Send this certificate again from "
                      f"{when}; it has not been used up.",
                      f"保持按时还款：欠款与现在相当的情况下，大约再过 {months} 个月风险估计即可低于提额线。"
                      f"请于 {when} 起再次提交这张证书，它不会被占用。")
    if risk_score is None or (risk_score.utilisation_to_line is None and risk_score.months_to_line is None):
        draft.suggest("Keep repaying on time: each month of history improves the estimate. A colleague can look at "
                      "your account with you, and you can appeal this decision.",
                      "请保持按时还款，账户记录每多一个月，风险估计都会改善。您可以请同事一起查看账户情况，也可以对本决定提出申诉。")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = (date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month + 1, min(day.day, last))


def _accepted_adjustment(assessment: RiskAssessment | None, params: PolicyParameters) -> tuple[float, bool, str]:
    if assessment is None:
        return 0.0, False, "no assessment"
    bounds = params.llm_adjustment_bounds
    if assessment.adjustment == 0:
        return 0.0, True, "no adjustment proposed"
    if not bounds.min <= assessment.adjustment <= bounds.max:
        return 0.0, False, "outside the policy's bounds"
    if not assessment.cited_clauses or any(c not in POLICY_CLAUSE_IDS for c in assessment.cited_clauses):
        return 0.0, False, "does not cite valid policy clauses"
    return float(assessment.adjustment), True, "within bounds and grounded"


def _suggest_other_credentials(draft: _Draft, used_type: str, params: PolicyParameters) -> None:
    """'A degree certificate would also count': the two other types with the highest caps."""
    others = sorted((t for t in params.max_increase_per_type if t != used_type and t not in ("cet4",)
                     and t in SPECS and not SPECS[t].weaker_evidence),
                    key=lambda t: (-params.max_increase_per_type[t], t))[:2]
    for other in others:
        type_en, type_zh = TYPE_NAMES[other]
        cap = params.max_increase_per_type[other]
        draft.suggest(f"A {type_en} would also count for a later increase (up to {cap} yuan, "
                      f"{params.cooldown_days} days after this one).",
                      f"{type_zh}也可以用于之后的提额（最多 {cap} 元，需在本次提额 {params.cooldown_days} 天之后）。")


def _number(value: object) -> float | None:
    try:
        return float(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _pct(value: float, digits: int = 0) -> str:
    return f"{value * 100:.{digits}f}"
