"""The synthetic credential generator, pinned: labels match the pixels, forgeries are where the boxes say,
the same seed gives the same bytes, and every number follows the shared number rules."""
from __future__ import annotations

import io
import json
from datetime import date

import numpy as np
import piexif
import pytest
from PIL import Image

from credlift.domain.credential import CredentialRecord
from credlift.evals.synth import SynthSpec, SynthSpecError, generate_dataset, render_credential
from credlift.evals.synth.encode import decode, encode
from credlift.evals.synth.generate import SAME_QUALITY_SHARE, keeps_pristine_quality
from credlift.evals.synth.people import make_person, old_enough
from credlift.evals.synth.tamper import generator_metadata
from credlift.evals.synth.templates import TEMPLATES
from credlift.evals.synth.templates.cet import PART_MAXIMA
from credlift.tools import credential_numbers as cn
from credlift.tools.extraction.validators import validate_credential

LABEL_KEYS = {"file", "type", "fields", "tampered", "tamper_kind", "tamper_boxes", "tampered_fields", "capture",
              "jpeg_quality", "format", "seed", "same_quality_as_pristine", "width", "height"}


@pytest.fixture(scope="session")
def small_dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth-set")
    labels = generate_dataset(out, n=8, seed=3, capture="mixed", tamper_rate=0.5, workers=2)
    return out, labels


@pytest.fixture(scope="session")
def ocr_engine():
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def _ocr_text(engine, image_bytes: bytes, box: list[int] | None = None, margin: int = 40) -> str:
    """OCR of the whole image, or of the region around `box` (x, y, w, h) only (much faster)."""
    rgb = decode(image_bytes)
    if box is not None:
        x, y, w, h = box
        rgb = rgb[max(0, y - margin):y + h + margin, max(0, x - margin):x + w + margin]
    result, _ = engine(rgb)
    return "".join(text for _, text, _ in (result or [])).replace(" ", "")


def _changed_pixels(sample, threshold: int = 40) -> np.ndarray:
    """Pixels the forgery changed: the tampered file against the pristine capture saved the same way."""
    label = sample.label
    pristine = decode(sample.pristine_bytes)
    reference = decode(encode(pristine, "jpeg", label["jpeg_quality"])) if label["format"] == "jpeg" else pristine
    diff = np.abs(decode(sample.image_bytes).astype(np.int16) - reference.astype(np.int16)).max(axis=2)
    return diff > threshold


# ---------------------------------------------------------------------- the dataset and its labels

def test_dataset_writes_every_image_and_one_label_row_per_image(small_dataset):
    out, labels = small_dataset
    rows = [json.loads(line) for line in (out / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows == labels and len(rows) == 8
    for row in rows:
        assert LABEL_KEYS <= set(row)
        with Image.open(out / row["file"]) as image:
            assert image.size == (row["width"], row["height"])
            assert image.format.lower() == row["format"]
        assert (row["jpeg_quality"] is None) == (row["format"] == "png")
        assert row["tampered"] == (row["tamper_kind"] is not None)
        assert row["same_quality_as_pristine"] == (row["format"] == row["pristine_format"]
                                                   and row["jpeg_quality"] == row["pristine_jpeg_quality"])
    assert any(row["tampered"] for row in rows) and not all(row["tampered"] for row in rows)


def test_tampered_rows_say_what_the_forged_image_shows_and_keep_the_true_fields(small_dataset):
    _, labels = small_dataset
    for row in labels:
        for name, shown in row["tampered_fields"].items():
            assert name in row["fields"] and shown != row["fields"][name]
        if row["tampered"] and row["tamper_kind"] != "metadata":
            assert row["tamper_boxes"]
        if row["tamper_kind"] == "metadata":
            assert row["tamper_boxes"] == []


def test_same_seed_gives_the_same_bytes_whatever_the_number_of_workers(tmp_path):
    one = generate_dataset(tmp_path / "a", n=3, seed=11, tamper_rate=0.7, workers=1)
    two = generate_dataset(tmp_path / "b", n=3, seed=11, tamper_rate=0.7, workers=2)
    assert one == two
    for row in one:
        assert (tmp_path / "a" / row["file"]).read_bytes() == (tmp_path / "b" / row["file"]).read_bytes()
    again = render_credential(SynthSpec(type="cet6", seed=one[0]["seed"], capture="photo", tamper="retype"))
    assert again.image_bytes == render_credential(
        SynthSpec(type="cet6", seed=one[0]["seed"], capture="photo", tamper="retype")).image_bytes


def test_a_different_seed_gives_a_different_credential():
    a = render_credential(SynthSpec(type="degree", seed=1))
    b = render_credential(SynthSpec(type="degree", seed=2))
    assert a.label["fields"]["certificate_number"] != b.label["fields"]["certificate_number"]
    assert a.image_bytes != b.image_bytes


# ---------------------------------------------------------------------- numbers and consistency

@pytest.mark.parametrize("credential_type", sorted(TEMPLATES))
def test_generated_numbers_pass_their_format_rules(credential_type):
    template = TEMPLATES[credential_type]
    for seed in range(40):
        fields = template.sample_fields(np.random.default_rng([seed, 1]), {})
        parsed = cn.parse_certificate_number(credential_type, fields["certificate_number"])
        if "id_number" in fields:
            holder = cn.parse_resident_id(fields["id_number"])
            if "birth_date" in fields:
                assert holder.birth_date.isoformat() == fields["birth_date"]
            if "gender" in fields:
                assert holder.gender == fields["gender"]
        if credential_type in ("cet4", "cet6"):
            assert (parsed.level, parsed.exam_session) == (credential_type, fields["exam_session"])
            admission = cn.parse_cet_admission_number(fields["admission_number"])
            assert admission.exam_session == fields["exam_session"] and admission.level == credential_type
            assert sum(fields[p] for p in PART_MAXIMA) == fields["total_score"] <= cn.CET_MAX_TOTAL
            assert all(fields[p] <= PART_MAXIMA[p] for p in PART_MAXIMA)
            assert fields["exam_session"][-2:] in ("06", "12") and fields["issue_date"] == fields["exam_session"]
        if credential_type == "graduation":
            assert parsed.level == fields["level"] and parsed.year == int(fields["study_end"][:4])
            assert parsed.school_name == fields["school"]
        if credential_type == "degree":
            assert parsed.degree_level == fields["degree_level"] and parsed.school_name == fields["school"]
        if credential_type == "vocational":
            assert parsed.skill_level == fields["skill_level"] and parsed.year == int(fields["issue_date"][:4])
        if credential_type == "award":
            assert (parsed.award_level, parsed.award_scope, parsed.competition) == (
                fields["award_level"], fields["award_scope"], fields["competition"])
        if credential_type == "qualification":
            assert parsed.qualification_level == fields["qualification_level"]


@pytest.mark.parametrize("credential_type", sorted(TEMPLATES))
def test_an_honest_credential_passes_every_validator_check(credential_type):
    """The validators decline a document with an error finding, so an honest generated one must have none: no
    holder too young for the credential, no date in the future, every code consistent with the fields."""
    template = TEMPLATES[credential_type]
    for seed in range(200):
        fields = template.sample_fields(np.random.default_rng([seed, 1]), {})
        report = validate_credential(CredentialRecord(type=credential_type, fields=fields), today=date(2026, 11, 25))
        errors = [(f.code, f.field) for f in report.findings if f.severity == "error"]
        assert errors == [], (seed, errors, fields)


def test_a_holder_too_young_for_the_credential_is_moved_back_without_another_draw():
    person = make_person(np.random.default_rng(0), (2010, 2010), gender="female")
    older = old_enough(person, date(2020, 6, 1), 14)
    assert older.birth_date.year <= 2006 and (older.birth_date.month, older.birth_date.day) == (
        person.birth_date.month, person.birth_date.day)
    holder = cn.parse_resident_id(older.id_number)
    assert holder.birth_date == older.birth_date and holder.gender == "female"
    assert older.id_number[:6] == person.id_number[:6] and older.name == person.name
    assert old_enough(older, date(2020, 6, 1), 14) == older


def test_a_total_score_override_recomputes_the_parts_so_they_add_up():
    sample = render_credential(SynthSpec(type="cet6", seed=7, fields={"total_score": 561, "holder_name": "林晓雨"}))
    fields = sample.label["fields"]
    assert fields["total_score"] == 561 and fields["holder_name"] == "林晓雨"
    assert fields["listening"] + fields["reading"] + fields["writing_translation"] == 561


def test_an_exam_session_override_flows_into_the_report_number():
    fields = render_credential(SynthSpec(type="cet4", seed=2, fields={"exam_session": "2021-12"})).label["fields"]
    assert cn.parse_cet_report_number(fields["certificate_number"]).exam_session == "2021-12"
    assert fields["issue_date"] == "2021-12"


def test_impossible_overrides_are_refused_with_a_sentence():
    with pytest.raises(SynthSpecError, match="June and December"):
        render_credential(SynthSpec(type="cet4", seed=1, fields={"exam_session": "2021-03"}))
    with pytest.raises(SynthSpecError, match="not a field"):
        render_credential(SynthSpec(type="degree", seed=1, fields={"total_score": 500}))
    with pytest.raises(SynthSpecError, match="between 0 and 710"):
        render_credential(SynthSpec(type="cet6", seed=1, fields={"total_score": 800}))


# ---------------------------------------------------------------------- the pixels agree with the labels

@pytest.mark.parametrize("credential_type,holder", [("cet6", "林晓雨"), ("graduation", None), ("vocational", None)])
def test_ocr_reads_the_labelled_number_and_holder_where_the_label_says(ocr_engine, credential_type, holder):
    fields = {"holder_name": holder} if holder else {}
    sample = render_credential(SynthSpec(type=credential_type, seed=21, capture="scan", fields=fields))
    label = sample.label
    for name in ("certificate_number", "holder_name"):
        assert label["fields"][name] in _ocr_text(ocr_engine, sample.image_bytes, label["field_boxes"][name])
    if holder:
        assert label["fields"]["holder_name"] == holder


def test_ocr_reads_the_whole_page_of_a_phone_photo(ocr_engine):
    sample = render_credential(SynthSpec(type="cet4", seed=8, capture="photo"))
    text = _ocr_text(ocr_engine, sample.image_bytes)
    assert sample.label["fields"]["certificate_number"] in text
    assert str(sample.label["fields"]["total_score"]) in text


def test_a_retyped_value_shows_the_new_value_to_ocr(ocr_engine):
    sample = render_credential(SynthSpec(type="cet6", seed=5, capture="scan", tamper="retype", same_quality=True))
    assert sample.label["tampered_fields"]
    (name, shown), = sample.label["tampered_fields"].items()
    printed = TEMPLATES["cet6"].display(name, shown, sample.label["fields"])
    box = sample.label["tamper_boxes"][0]
    assert printed in _ocr_text(ocr_engine, sample.image_bytes, box)
    assert printed not in _ocr_text(ocr_engine, sample.pristine_bytes, box)


@pytest.mark.parametrize("kind", ["copy_move", "splice", "retype", "erase"])
@pytest.mark.parametrize("capture", ["scan", "photo", "screenshot"])
def test_tamper_boxes_cover_the_changed_pixels(kind, capture):
    for seed, same in ((1, True), (2, False)):
        sample = render_credential(SynthSpec(type=("cet6", "graduation", "award")[seed % 3], seed=seed,
                                             capture=capture, tamper=kind, same_quality=same))
        changed = _changed_pixels(sample)
        inside = np.zeros_like(changed)
        for x, y, w, h in sample.label["tamper_boxes"]:
            inside[y:y + h, x:x + w] = True
        assert changed.sum() > 10, "the forgery changed nothing visible"
        assert (changed & inside).sum() / changed.sum() >= 0.95


def test_a_metadata_only_edit_keeps_the_pixels_and_names_an_editor():
    sample = render_credential(SynthSpec(type="award", seed=4, capture="photo", tamper="metadata", same_quality=True))
    assert np.array_equal(decode(sample.image_bytes), decode(sample.pristine_bytes))
    software = piexif.load(sample.image_bytes)["0th"][piexif.ImageIFD.Software].decode()
    assert software and sample.label["tamper_boxes"] == [] and sample.label["same_quality_as_pristine"]


def test_ai_generated_images_are_pngs_with_a_period_two_lattice():
    for seed, capture in ((0, "scan"), (1, "photo")):
        sample = render_credential(SynthSpec(type="graduation", seed=seed, capture=capture, tamper="ai_generated"))
        assert sample.extension == "png" and sample.label["jpeg_quality"] is None
        assert sample.label["tamper_boxes"] == [[0, 0, sample.label["width"], sample.label["height"]]]
        gray = decode(sample.image_bytes).astype(np.float32).mean(axis=2)
        spectrum = np.abs(np.fft.fft2(gray - gray.mean()))
        h, w = gray.shape
        nyquist = spectrum[h // 2, w // 2] + spectrum[h // 2, 0] + spectrum[0, w // 2]
        assert nyquist > 20 * np.median(spectrum), "no upsampling lattice"
        pristine = decode(sample.pristine_bytes).astype(np.float32).mean(axis=2)
        texture = np.abs(gray[:, 2:] - gray[:, :-2]).mean()   # stride 2: the lattice cancels out
        assert texture < np.abs(pristine[:, 2:] - pristine[:, :-2]).mean(), "not smoother than the capture"


def test_about_half_of_generator_outputs_carry_generator_text_chunks():
    chunks = [generator_metadata(np.random.default_rng([seed, 4]), 1600, 1130) for seed in range(400)]
    share = np.mean([bool(c) for c in chunks])
    assert 0.4 < share < 0.6
    assert any("parameters" in c for c in chunks) and any(c.get("Software") == "Stable Diffusion" for c in chunks)
    found = set()
    for seed in range(12):  # about half of the rendered ones carry chunks too; stop at the first
        sample = render_credential(SynthSpec(type="award", seed=seed, capture="screenshot", tamper="ai_generated"))
        with Image.open(io.BytesIO(sample.image_bytes)) as image:
            found = {"parameters", "Software"} & set(image.info)
        if found:
            break
    assert found


def test_about_a_third_of_forgeries_keep_the_pristine_jpeg_quality():
    share = np.mean([keeps_pristine_quality(np.random.default_rng([seed, 7])) for seed in range(3000)])
    assert abs(share - SAME_QUALITY_SHARE) < 0.03
    kept = render_credential(SynthSpec(type="cet4", seed=3, capture="photo", tamper="copy_move", same_quality=True))
    changed = render_credential(SynthSpec(type="cet4", seed=3, capture="photo", tamper="copy_move", same_quality=False))
    assert kept.label["jpeg_quality"] == kept.label["pristine_jpeg_quality"]
    assert abs(changed.label["jpeg_quality"] - changed.label["pristine_jpeg_quality"]) >= 5


def test_untampered_sample_is_its_own_pristine_capture():
    sample = render_credential(SynthSpec(type="qualification", seed=9, capture="screenshot"))
    assert sample.image_bytes == sample.pristine_bytes and not sample.label["tampered"]
    assert sample.label["fields"]["qualification_name"] == "会计专业技术资格"


# ---------------------------------------------------------------------- the command line

@pytest.mark.parametrize("arguments,message", [
    (["--n", "-3"], "n must be a positive"),
    (["--n", "0"], "n must be a positive"),
    (["--types", "cet5"], "unknown credential type cet5"),
    (["--capture", "fax"], "unknown capture"),
    (["--tamper-rate", "1.5"], "between 0 and 1"),
    (["--tamper-kinds", "smudge"], "unknown tamper kind"),
])
def test_synth_with_a_bad_argument_prints_one_line_and_exits_2(tmp_path, monkeypatch, capsys, arguments, message):
    from credlift.ui.cli import main

    monkeypatch.setattr("sys.argv", ["credlift", "synth", "--out", str(tmp_path / "out"), *arguments])
    with pytest.raises(SystemExit) as exit_:
        main()
    err = capsys.readouterr().err.strip()
    assert exit_.value.code == 2
    assert message in err and len(err.splitlines()) == 1


def test_synth_into_an_unwritable_directory_prints_one_line_and_exits_2(tmp_path, monkeypatch, capsys):
    from credlift.ui.cli import main

    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setattr("sys.argv", ["credlift", "synth", "--out", str(blocker / "out"), "--n", "2"])
    with pytest.raises(SystemExit) as exit_:
        main()
    err = capsys.readouterr().err.strip()
    assert exit_.value.code == 2 and "cannot write to" in err and len(err.splitlines()) == 1


def test_synth_command_writes_images_and_labels(tmp_path, monkeypatch, capsys):
    from credlift.ui.cli import main

    monkeypatch.setattr("sys.argv", ["credlift", "synth", "--out", str(tmp_path), "--n", "2", "--seed", "5",
                                     "--types", "award,degree", "--capture", "screenshot", "--workers", "1"])
    try:
        main()
    except SystemExit as exit_:
        assert exit_.code in (0, None)
    rows = [json.loads(line) for line in (tmp_path / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 2 and {row["type"] for row in rows} <= {"award", "degree"}
    assert all(row["capture"] == "screenshot" for row in rows)
    assert "wrote 2 images" in capsys.readouterr().out


def test_a_dataset_row_can_be_rendered_again_from_its_label(small_dataset):
    out, labels = small_dataset
    row = next(r for r in labels if r["tampered"])
    again = render_credential(SynthSpec(type=row["type"], seed=row["seed"], capture=row["capture"],
                                        tamper=row["tamper_kind"]))
    assert again.image_bytes == (out / row["file"]).read_bytes()
    assert again.label["fields"] == row["fields"]


def test_a_phone_photo_keeps_the_whole_page_in_the_frame():
    import cv2

    from credlift.evals.synth.capture import capture

    template = TEMPLATES["degree"]
    document = template.draw(template.sample_fields(np.random.default_rng(1), {}), np.random.default_rng(1))
    width, height = document.size
    page = np.float32([[0, 0], [width, 0], [width, height], [0, height]]).reshape(-1, 1, 2)
    for seed in range(8):
        photo = capture(document, "photo", np.random.default_rng([seed, 3]))
        corners = cv2.perspectiveTransform(page, photo.homography).reshape(-1, 2)
        frame_h, frame_w = photo.rgb.shape[:2]
        assert corners.min() >= 0 and (corners[:, 0] <= frame_w).all() and (corners[:, 1] <= frame_h).all()
