"""The per-upload analysis on Ray workers gives the same results as in-process (tools/analysis.py,
tools/ray_analysis.py), and the chat app sends its read/authenticate/validate stages there when
CREDLIFT_RAY_ADDRESS is set."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest


def comparable_authenticity(report) -> dict:
    """Everything the report says except how long it took and where this data folder keeps the overlay."""
    dumped = report.model_dump(exclude={"timings_ms", "overlay_path"})
    for signal in dumped["signals"]:
        signal.pop("heatmap_path", None)
    return dumped


def analyse(analysis, path: Path, data_dir: Path, applicant):
    from credlift.tools.intake import store_bytes

    data = path.read_bytes()
    import hashlib

    sha256 = hashlib.sha256(data).hexdigest()
    ref = SimpleNamespace(path=str(store_bytes(data, data_dir, sha256)), filename=path.name, sha256=sha256)
    reading = analysis.extract(ref)
    report = analysis.authenticate(ref, reading, account_id=applicant.account_id, data_dir=data_dir,
                                   overlay_dir=data_dir / "overlays")
    validation = analysis.validate(reading.credential, applicant)
    return reading, report, validation


@pytest.mark.timeout(900)
def test_the_analysis_on_ray_gives_the_same_results_as_in_process(tmp_path, scale_uploads, local_ray):
    from credlift.settings import Settings
    from credlift.tools.accounts import AccountStore
    from credlift.tools.analysis import LocalAnalysis, analysis_for
    from credlift.tools.forensics.heatmap import read_overlay
    from credlift.tools.issuers import registry_for

    # two data folders, so that the reuse check of one path never sees the uploads of the other
    here, there = (Settings(data_dir=tmp_path / name) for name in ("here", "there"))
    there = there.model_copy(update={"ray_address": "local", "ray_replicas": 1})
    for settings in (here, there):
        settings.ensure_dirs()
    applicant = AccountStore(here.db_path).get("demo-graduate-03")
    local = analysis_for(here, registry_for(here))
    remote = analysis_for(there)
    try:
        assert isinstance(local, LocalAnalysis) and remote.where == "ray"
        replica = remote.usage()[0]
        assert replica["pid"] != __import__("os").getpid() and replica["load_s"] > 0  # models loaded up front
        kinds = []
        for path in scale_uploads:
            reading, report, validation = analyse(local, path, here.data_dir, applicant)
            ray_reading, ray_report, ray_validation = analyse(remote, path, there.data_dir, applicant)
            assert ray_reading.lines == reading.lines, path.name
            assert ray_reading.credential == reading.credential, path.name
            assert comparable_authenticity(ray_report) == comparable_authenticity(report), path.name
            assert ray_validation == validation, path.name
            # the heatmap the replica drew is in the Ray path's own data folder (sealed with its key), the same picture
            assert Path(ray_report.overlay_path).is_relative_to(there.data_dir.resolve())
            assert read_overlay(Path(ray_report.overlay_path)) == read_overlay(Path(report.overlay_path))
            kinds.append((reading.credential.type, report.verdict))
        assert kinds[0] == ("cet4", "authentic") and kinds[1][0] == "cet6"  # read right, so the comparison means something
        assert remote.usage()[0]["cpu_s"] > replica["cpu_s"] + 1.0  # the work ran in the replica's process
    finally:
        remote.close()


@pytest.mark.timeout(900)
def test_the_chat_app_runs_its_analysis_on_ray_when_an_address_is_set(tmp_path, scale_uploads, local_ray):
    """One application through the whole graph with CREDLIFT_RAY_ADDRESS set: the replica did the work, and the
    case log and decision are those of the in-process run of the same upload."""
    from credlift.agent.service import CredliftService
    from credlift.settings import Settings

    outcomes = {}
    for name, update in (("in-process", {}), ("ray", {"ray_address": "local", "ray_replicas": 1})):
        settings = Settings(data_dir=tmp_path / name, **update)
        service = CredliftService(settings)
        try:
            assert service.services.analysis.where == name
            before = service.services.analysis.usage()[0]["cpu_s"] if name == "ray" else 0.0
            thread = service.start("demo-graduate-03", lang="en").thread_id
            result = service.upload(thread, [(scale_uploads[0].name, scale_uploads[0].read_bytes())])
            case = service.case_view(result.case_id, "helpdesk")
            outcomes[name] = (result.decision.kind if result.decision else None,
                              [(u.credential.type, u.authenticity.verdict, round(u.authenticity.score, 6),
                                u.validation.ok) for u in case.uploads])
            if name == "ray":
                assert service.services.analysis.usage()[0]["cpu_s"] > before + 1.0
        finally:
            service.close()
    assert outcomes["ray"] == outcomes["in-process"]
    assert outcomes["ray"][1][0][0] == "cet4"
