"""A vision-model server that is down: the chat still decides (the page read by OCR), the case says so, and the
console shows it in the staff member's language."""
from __future__ import annotations

import socket

from credlift.ui.web import case_page


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens there


def test_a_vlm_outage_falls_back_to_ocr_and_the_case_says_so(tmp_path, monkeypatch, certificate):
    from credlift.agent.service import CredliftService
    from credlift.settings import get_settings, reset_settings_cache

    monkeypatch.setenv("CREDLIFT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CREDLIFT_VLM_BASE_URL", f"http://127.0.0.1:{_closed_port()}/v1")
    monkeypatch.setenv("CREDLIFT_VLM_TIMEOUT_S", "5")
    reset_settings_cache()
    service = CredliftService(get_settings())
    try:
        profile = next(p for p in service.accounts() if p.account_id == "demo-graduate-01")
        thread_id = service.start(profile.account_id).thread_id
        result = service.upload(thread_id, [("cet6.jpg", certificate(profile.name, total_score=561))])
        assert result.decision is not None, "the outage costs the reading by a model, not the decision"
        view = service.case_view(result.case_id, staff_user="tester")
        credential = view.uploads[-1].credential
        assert credential.backend == "ocr" and credential.warning_codes[0] == "VLM_UNAVAILABLE"
        assert credential.fields.get("total_score") == 561
        assert "视觉模型暂时无法连接" in case_page.validation_markdown(view, "zh")
        assert "vision model could not be reached" in case_page.validation_markdown(view, "en")
    finally:
        service.close()
        monkeypatch.undo()
        reset_settings_cache()
