"""People, case files and evidence documents for the tests of outcome records, exits
and follow-ups."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import CaseFileFactory
from tests.factories import reference as ref
from tests.youthtrack.sharing_helpers import make_user

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
    b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
# The start of a Windows executable, named like a PDF.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def upload(content: bytes = PDF, name: str = "attestation.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def big_pdf(megabytes: int = 30) -> SimpleUploadedFile:
    buffer = io.BytesIO(PDF + b"0" * (megabytes * 1024 * 1024))
    return SimpleUploadedFile("big.pdf", buffer.getvalue(), "application/pdf")


def active_case(advisor, *, entry_days_ago: int = 90, programme: str = "touchngo"):
    """An active file of the advisor's organisation, entered ``entry_days_ago``."""
    return CaseFileFactory(
        active=True,
        owner_organisation=advisor.organisation,
        advisor=advisor,
        programme=ref.programme(programme),
        entry_date=today() - days(entry_days_ago),
        young_person__first_name="Yasmina",
        young_person__last_name="Sortie",
        young_person__phone="0470 99 88 77",
        young_person__email="yasmina.sortie@example.net",
        young_person__age=20,
    )


def cdm_advisor():
    return make_user("sarah", org_code="cdm")
