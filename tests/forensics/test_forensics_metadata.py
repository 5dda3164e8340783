"""Metadata: editors and generators named in the file are reported; their absence is not held against anyone."""
from __future__ import annotations

import io

import numpy as np
import piexif
from PIL import Image, PngImagePlugin

from forensic_pages import certificate, jpeg_bytes
from credlift.tools.forensics import assess_authenticity
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.ai_generation import AiGenerationSignal
from credlift.tools.forensics.signals.metadata import MetadataSignal
from credlift.tools.intake import load_upload


def _exif(software: str) -> bytes:
    return piexif.dump({"0th": {piexif.ImageIFD.Software: software.encode()}, "Exif": {}, "GPS": {}, "1st": {}})


def test_editor_name_in_exif_is_reported(data_dir):
    upload = load_upload(jpeg_bytes(certificate(seed=11), exif=_exif("Adobe Photoshop 25.1 (Windows)")), "edited.jpg")
    signal = MetadataSignal().analyse(AnalysisContext(upload=upload))
    assert signal.score >= 0.9
    assert "photoshop" in signal.summary.lower()
    report = assess_authenticity(upload, data_dir=data_dir)
    assert report.verdict in ("suspicious", "tampered")
    assert "metadata" in report.drivers


def test_phone_camera_software_is_not_an_editor():
    upload = load_upload(jpeg_bytes(certificate(seed=12), exif=_exif("HDR+ 1.0.540104767zd")), "phone.jpg")
    assert MetadataSignal().analyse(AnalysisContext(upload=upload)).score == 0.0


def test_absence_of_metadata_is_not_evidence():
    upload = load_upload(jpeg_bytes(certificate(seed=13)), "stripped.jpg")
    signal = MetadataSignal().analyse(AnalysisContext(upload=upload))
    assert signal.score == 0.0
    assert "absence proves nothing" in signal.summary


def test_generator_parameters_in_png_chunk_count_as_ai_generation(data_dir):
    text = PngImagePlugin.PngInfo()
    text.add_text("parameters", "a university certificate, Steps: 30, Sampler: DPM++ 2M, CFG scale: 7")
    buffer = io.BytesIO()
    Image.fromarray(certificate(seed=14)).save(buffer, "PNG", pnginfo=text)
    upload = load_upload(buffer.getvalue(), "generated.png")
    ai = AiGenerationSignal().analyse(AnalysisContext(upload=upload))
    assert ai.score >= 0.9 and ai.details["metadata_generator"] is True
    report = assess_authenticity(upload, data_dir=data_dir)
    assert report.verdict == "ai_generated"
    assert report.drivers[0] == "ai_generation"


def test_iptc_trained_algorithmic_media_in_xmp_is_an_ai_cue():
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
           b'Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"/>'
           b'</rdf:RDF></x:xmpmeta>')
    data = jpeg_bytes(np.asarray(certificate(seed=15)))
    data = data[:2] + b"\xff\xe1" + (len(xmp) + 31).to_bytes(2, "big") + b"http://ns.adobe.com/xap/1.0/\x00" + xmp + data[2:]
    upload = load_upload(data, "xmp.jpg")
    signal = MetadataSignal().analyse(AnalysisContext(upload=upload))
    assert signal.details["generator"] is True
