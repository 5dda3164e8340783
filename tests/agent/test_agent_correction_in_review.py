"""A correction during review: a new upload while the case waits for a person is analysed at once, attached to
the same case and decided together with what is in review; the reviewer sees both uploads."""
from __future__ import annotations

from credlift.tools.pipeline import STAGES


def test_a_second_upload_in_review_is_analysed_and_attached_to_the_open_case(service, new_account, certificate):
    profile = new_account("demo-graduate-03")
    thread_id = service.start(profile.account_id).thread_id
    referred = service.upload(thread_id, [("first.jpg", certificate("王小明", seed=31, total_score=561))])
    assert referred.awaiting == "review" and referred.decision.kind == "refer"
    case_id = service.case_for_thread(thread_id)
    service.resolve_review(case_id, "helpdesk", approve=True, note="改名证明已看")  # a first approval (four-eyes)

    corrected = service.upload(thread_id, [("second.jpg", certificate(profile.name, seed=32, total_score=561))])
    assert tuple(corrected.nodes_run[:6]) == STAGES  # analysed in full, in the one pipeline's order
    assert corrected.replies, "the applicant hears about the new upload"
    assert service.case_for_thread(thread_id) == case_id  # the same case, not a new one
    view = service.case_view(case_id, "lead")
    assert sorted(u.filename for u in view.uploads) == ["first.jpg", "second.jpg"]
    assert all(u.authenticity is not None and u.credential is not None for u in view.uploads)
    actions = [e.action for e in service.audit_log(case_id)]
    assert "correction_uploaded" in actions and "approval_withdrawn" in actions
    # the correction is the account holder's own clean certificate: the engine decides on the better of the two
    assert corrected.decision.kind == "approve" and corrected.awaiting == "user"
    assert service.services.accounts.get(profile.account_id).current_limit == corrected.decision.new_limit
    assert case_id not in [c.case_id for c in service.review_queue()]


def test_an_unusable_correction_leaves_the_case_in_review_with_both_uploads(service, new_account, certificate):
    profile = new_account("demo-graduate-01")
    thread_id = service.start(profile.account_id).thread_id
    referred = service.upload(thread_id, [("first.jpg", certificate("王小明", seed=33, total_score=561))])
    assert referred.awaiting == "review"
    case_id = service.case_for_thread(thread_id)
    again = service.upload(thread_id, [("notes.pdf", b"%PDF-1.4 not an image")])
    assert again.nodes_run[0] == "intake" and "JPG" in "\n".join(again.replies)
    assert again.awaiting == "review" and again.decision.kind == "refer"
    assert case_id in [c.case_id for c in service.review_queue()]
    assert sorted(u.filename for u in service.case_view(case_id, "helpdesk").uploads) == ["first.jpg", "notes.pdf"]
    # the reviewer can still resolve the case in review
    declined = service.resolve_review(case_id, "helpdesk", approve=False, note="姓名不一致")
    assert declined.decision.kind == "decline" and declined.awaiting == "user"
