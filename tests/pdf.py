"""Read the PDFs the application produces without system tools (no poppler): PDFium,
through pypdfium2, extracts their text and renders their pages for screenshots."""

from pathlib import Path

import pypdfium2 as pdfium


def pdf_text(content: bytes) -> str:
    """The text of every page, in reading order, pages separated by a form feed."""
    document = pdfium.PdfDocument(content)
    try:
        pages = []
        for page in document:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
        return "\f".join(pages)
    finally:
        document.close()


def pdf_first_page_png(content: bytes, target: Path, dpi: int = 70) -> Path:
    """The first page as a PNG image at ``dpi`` (``target`` gets a .png suffix)."""
    path = target.with_suffix(".png")
    document = pdfium.PdfDocument(content)
    try:
        page = document[0]
        bitmap = page.render(scale=dpi / 72)
        bitmap.to_pil().save(path)
        page.close()
    finally:
        document.close()
    return path
