"""Two app processes deciding for one account at once: the decision made on a limit the account no longer has is
not applied; the engine decides again on the account as it is now (its cool-down sees the other increase)."""
from __future__ import annotations

from datetime import date

import pytest


@pytest.mark.slow
def test_a_decision_made_on_a_stale_limit_is_decided_again_not_applied(service, new_account, certificate,
                                                                        monkeypatch):
    profile = new_account("demo-graduate-03")
    start = profile.current_limit
    accounts = service.services.accounts
    real = type(accounts).record_increase
    other = {}

    def another_process_first(self, account_id, new_limit, key, on, from_limit=None):
        if not other:  # another app process applies its own decision for this account just before this one
            other["profile"] = real(self, account_id, start + 300, "cet4:elsewhere", date.today(), from_limit=start)
        return real(self, account_id, new_limit, key, on, from_limit=from_limit)

    monkeypatch.setattr(type(accounts), "record_increase", another_process_first)
    thread_id = service.start(profile.account_id).thread_id
    result = service.upload(thread_id, [("cet6.jpg", certificate(profile.name, seed=61, total_score=561))])
    # seed 61: a photo no other agent test uploads (the session-wide service would see a reused document)
    assert other, (result.decision, result.replies[-1:])
    account = accounts.get(profile.account_id)
    # the other process's increase stands, alone: nothing lost, nothing applied on top of a stale limit
    assert account.current_limit == start + 300 and account.counted_credentials == ["cet4:elsewhere"]
    case_id = service.services.cases.case_for_thread(thread_id)
    actions = [entry.action for entry in service.services.cases.audit_log(case_id)]
    assert "limit_not_applied" in actions and "limit_updated" not in actions
    decisions = service.services.cases.decisions(case_id)
    assert [d[0].endswith(":recheck") for d in decisions] == [False, True]
    first, again = decisions[0][1], decisions[1][1]
    assert first.kind == "approve" and not decisions[0][2]  # the stale approval: recorded, never applied
    assert again.current_limit == start + 300 and again.kind != "approve"  # the cool-down after the other increase
    assert result.decision == again
