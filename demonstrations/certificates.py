"""The designation certificate as a PDF (weasyprint), always in Chinese, with a QR code that
opens the public check of the certificate number."""

import segno
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def verification_url(application, request) -> str:
    path = reverse("public:verify", args=[application.certificate_number])
    return request.build_absolute_uri(path)


def render_certificate(application, request) -> bytes:
    """The PDF, rendered once per version of the designation (a render takes seconds)."""
    url = verification_url(application, request)
    key = "certificate:" + ":".join(
        str(part)
        for part in (
            application.pk,
            application.certificate_number,
            application.updated_at.isoformat(),  # every renewal or change saves it
            url,
        )
    )
    pdf = cache.get(key)
    if pdf is None:
        pdf = _render(application, request, url)
        cache.set(key, pdf, timeout=7 * 24 * 3600)
    return pdf


def _render(application, request, url) -> bytes:
    from weasyprint import HTML  # heavy import, only for the processes that render

    qr = segno.make(url, error="m")
    with translation.override("zh-hans"):
        html = render_to_string(
            "demonstrations/certificate.html",
            {
                "object": application,
                "verify_url": url,
                "qr_svg": qr.svg_data_uri(scale=4, border=1),
            },
        )
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
