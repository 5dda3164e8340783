"""One upload pipeline, one order (tools/pipeline.py): the chat app's graph runs its stages in that order, and
the authenticity stage gets the record's certificate number and the account wherever it runs."""
from __future__ import annotations

from types import SimpleNamespace

from credlift.domain.credential import CredentialRecord


def _upload_path(graph) -> list[str]:
    """The nodes an upload passes when every file is readable and accepted (conditional edges followed)."""
    drawn = graph.get_graph()
    successors: dict[str, set[str]] = {}
    for edge in drawn.edges:
        successors.setdefault(edge.source, set()).add(edge.target)
    path, node = [], "intake"
    while node != "explain":
        path.append(node)
        following = successors[node] - {"explain"} or {"explain"}  # the explanation ends every upload
        assert len(following) == 1, (node, successors[node])
        node = following.pop()
    return path


def test_the_chat_app_runs_the_pipeline_stages_in_the_pipeline_order():
    from credlift.agent.graph import NODE_NAMES, graph
    from credlift.tools.pipeline import STAGES

    assert STAGES == ("intake", "extract", "authenticate", "validate", "assess", "decide")
    assert NODE_NAMES[:len(STAGES)] == STAGES
    assert _upload_path(graph) == list(STAGES)


def test_authenticate_is_given_the_record_number_and_the_account(monkeypatch, tmp_path):
    import credlift.tools.forensics.assess as assess_module
    from credlift.tools import pipeline

    seen = {}

    def fake_assess(upload, **kwargs):
        seen.update(kwargs)
        return "report"

    monkeypatch.setattr(assess_module, "assess_authenticity", fake_assess)
    record = CredentialRecord(type="cet6", fields={"certificate_number": "241250030062475"})
    reading = pipeline.Reading(lines=[], credential=record)
    assert pipeline.authenticate(SimpleNamespace(), reading, account_id="acct-2", data_dir=tmp_path) == "report"
    assert seen["certificate_number"] == "241250030062475" and seen["account_id"] == "acct-2"
    assert seen["data_dir"] == tmp_path and seen["ocr_lines"] == []


def test_the_agent_authenticate_node_passes_the_number_read_before(monkeypatch, tmp_path):
    """The node reads the record the extract stage left on the upload (before: no number, so the reuse check's
    'same number from another account' never fired in chat)."""
    from credlift.agent.nodes import authenticate as node
    from credlift.agent.state import UploadRef, UploadResult
    from credlift.tools import pipeline

    calls = []
    monkeypatch.setattr(pipeline, "authenticate", lambda upload, reading, **kw: calls.append((reading, kw)) or
                        SimpleNamespace(verdict="authentic", score=0.1, drivers=[]))
    import credlift.tools.analysis as analysis

    monkeypatch.setattr(analysis, "decode_stored", lambda path, filename, sha256: SimpleNamespace(sha256=sha256))
    services = SimpleNamespace(settings=SimpleNamespace(data_dir=tmp_path), overlay_dir=tmp_path / "o",
                               analysis=analysis.LocalAnalysis(),
                               cases=SimpleNamespace(record_upload=lambda *a: None, audit=lambda *a, **k: None))
    monkeypatch.setattr(node, "services_of", lambda runtime: services)
    import credlift.agent.nodes.support as support
    monkeypatch.setattr(support, "record", lambda *a: None)
    record = CredentialRecord(type="cet6", fields={"certificate_number": "241250030062475"})
    result = UploadResult(upload_id="u1", filename="c.jpg", sha256="ab" * 32, credential=record)
    state = {"account_id": "acct-1", "case_id": "case-1", "batch": ["u1"], "results": {"u1": result},
             "uploads": [UploadRef(upload_id="u1", filename="c.jpg", sha256="ab" * 32, path="/nowhere")]}
    update = node.authenticate(state, runtime=None)
    assert update["nodes_run"] == ["authenticate"] and len(calls) == 1
    reading, options = calls[0]
    assert pipeline.certificate_number(reading.credential) == "241250030062475"
    assert options["account_id"] == "acct-1"


def test_one_store_for_the_chat_app_and_intake(tmp_path):
    """The bytes the chat app keeps on arrival are where intake's store puts them: stored once."""
    import io

    from PIL import Image

    from credlift.agent.uploads import stage_upload
    from credlift.tools.intake import load_upload, store_upload

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(buffer, format="JPEG")
    ref = stage_upload(buffer.getvalue(), "c.jpg", tmp_path, upload_id="u1")
    assert store_upload(load_upload(buffer.getvalue(), "c.jpg"), tmp_path) == tmp_path / ref.path
    assert sorted(p.name for p in (tmp_path / "uploads").rglob("*") if p.is_file()) == [f"{ref.sha256}.jpg"]


def test_one_masking_function_for_staff_views_and_the_check_output():
    from credlift.agent.contracts import UploadOutcome
    from credlift.agent.helpdesk import _mask_upload
    from credlift.redaction import mask_personal_fields
    from credlift.tools.extraction.check import masked_fields
    from credlift.ui.web.case_page import masked_fields as page_fields

    fields = {"holder_name": "林晓雨", "id_number": "110105199912310022", "birth_date": "1999-12-31",
              "admission_number": "500300241212501", "total_score": 561, "school": ""}
    masked = mask_personal_fields(fields)
    assert masked == {"holder_name": "林**", "id_number": "110***********0022", "birth_date": "1999-**-**",
                      "admission_number": "500********2501", "total_score": 561, "school": ""}
    assert mask_personal_fields(masked) == masked  # masking twice shows the same
    assert page_fields(fields, revealed=False) == masked and page_fields(fields, revealed=True) == fields
    record = CredentialRecord(type="cet6", fields=fields, text_lines=["姓名 林晓雨 110105199912310022"])
    staff = _mask_upload(UploadOutcome(upload_id="u", filename="c.jpg", sha256="ab", credential=record)).credential
    assert staff.fields == masked and staff.text_lines == ["姓名 林** 110***********0022"]
    assert masked_fields(record) == {**fields, "id_number": "110***********0022"}


def test_the_read_measures_the_photos_quality_once_and_extraction_reuses_it(monkeypatch):
    """The page read measures the photo's quality; extraction reads the same figures from it rather than measuring
    the same image again (issue 30), and measures anew only a large image the read looked at scaled down."""
    import numpy as np

    from credlift.evals.synth import SynthSpec, render_credential
    from credlift.tools import pipeline
    from credlift.tools.extraction import preprocess
    from credlift.tools.extraction.backends import ocr_backend
    from credlift.tools.extraction.ocr import CROP_LONG_SIDE
    from credlift.tools.intake import load_upload

    measured = []
    real = preprocess.assess_quality

    def counting(rgb, *args, **kwargs):
        measured.append(rgb.shape[:2])
        return real(rgb, *args, **kwargs)

    monkeypatch.setattr(ocr_backend, "assess_quality", counting)
    import credlift.tools.extraction.ocr as ocr_module

    monkeypatch.setattr(ocr_module, "assess_quality", counting)
    sample = render_credential(SynthSpec(type="cet4", seed=8, capture="photo"))
    upload = load_upload(sample.image_bytes, f"cet4.{sample.extension}")
    reading = pipeline.extract(upload)
    assert measured == [upload.rgb.shape[:2]]  # once, by the read
    assert reading.credential.type == "cet4" and reading.credential.fields.get("holder_name")
    # the record is the one extraction gives when it measures the quality itself
    from credlift.tools.extraction import extract_credential

    assert extract_credential(upload, ocr_lines=reading.lines).model_dump() == reading.credential.model_dump()

    measured.clear()
    large = load_upload(sample.image_bytes, f"cet4.{sample.extension}")
    scale = (CROP_LONG_SIDE + 400) / max(large.rgb.shape[:2])
    import cv2

    large.rgb = cv2.resize(large.rgb, None, fx=scale, fy=scale)
    pipeline.extract(large)
    assert len(measured) == 2 and measured[1] == large.rgb.shape[:2] and measured[0] != measured[1]
    assert np.prod(measured[0]) < np.prod(measured[1])
