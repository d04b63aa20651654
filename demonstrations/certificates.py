"""The designation certificate as a PDF (weasyprint), always in Chinese, with a QR code that
opens the public check of the certificate number."""

import segno
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def verification_url(application, request) -> str:
    path = reverse("public:verify", args=[application.certificate_number])
    return request.build_absolute_uri(path)


def render_certificate(application, request) -> bytes:
    from weasyprint import HTML  # heavy import, only for the processes that render

    url = verification_url(application, request)
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
