"""PDF uploads (a CHSI online verification report is one): the first page rendered to an image with pypdfium2
(PDFium, the renderer Chrome uses), so every later step sees a page like any photo.

A PDF that does not open (damaged, cut off), asks for a password, or has no page is refused with its own sentence
before anything is stored. PDFium is not thread-safe: every call into it holds one lock per process.
"""
from __future__ import annotations

import threading

import numpy as np

from credlift.errors import UnsupportedFileError

#: the rendered page's long side in pixels (about 200 dpi on A4: the OCR and the page checks read it as a scan)
RENDER_LONG_SIDE = 2400
_PDFIUM = threading.Lock()


def _open(data: bytes, filename: str):
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        # PDFium's last error can be left over from an earlier file: the document must say it is encrypted too
        if "password" in str(error).lower() and b"/Encrypt" in data:
            raise UnsupportedFileError("pdf_encrypted", name=filename) from None
        raise UnsupportedFileError("pdf_broken", name=filename) from None
    if len(document) == 0:
        document.close()
        raise UnsupportedFileError("pdf_no_pages", name=filename)
    return document


def check_pdf(data: bytes, filename: str = "upload") -> tuple[int, tuple[float, float]]:
    """(pages, first page size in points) of a PDF that can be rendered; UnsupportedFileError with a sentence
    otherwise."""
    with _PDFIUM:
        document = _open(data, filename)
        try:
            width, height = document[0].get_size()
            return len(document), (float(width), float(height))
        except Exception:
            raise UnsupportedFileError("pdf_broken", name=filename) from None
        finally:
            document.close()


def render_first_page(data: bytes, filename: str = "upload") -> tuple[np.ndarray, dict[str, str]]:
    """The first page as H x W x 3 uint8 RGB (long side RENDER_LONG_SIDE) and the document's metadata
    (`pdf:Producer`, `pdf:Creator`, ... and `pdf:pages`) for the metadata checks."""
    with _PDFIUM:
        document = _open(data, filename)
        try:
            page = document[0]
            width, height = page.get_size()
            if min(width, height) <= 0:
                raise UnsupportedFileError("pdf_broken", name=filename)
            scale = RENDER_LONG_SIDE / max(width, height)
            bitmap = page.render(scale=scale, rotation=0, fill_color=(255, 255, 255, 255))
            rgb = np.ascontiguousarray(np.asarray(bitmap.to_pil().convert("RGB")))
            metadata = {f"pdf:{key}": str(value)[:500] for key, value in document.get_metadata_dict().items() if value}
            metadata["pdf:pages"] = str(len(document))
            return rgb, metadata
        except UnsupportedFileError:
            raise
        except Exception:
            raise UnsupportedFileError("pdf_broken", name=filename) from None
        finally:
            document.close()
