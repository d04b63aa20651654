"""Permission matrix rows of the public report form (complaints, ``/public/report/``): anyone may
open it. Its POST is rate-limited per address, so the matrix only GETs it
(tests/test_public_report.py posts)."""

from .permission_matrix import Row, everyone

ROWS = [
    Row("public:report", everyone(200)),
]
