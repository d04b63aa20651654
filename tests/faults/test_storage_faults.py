"""A media or evidence folder that is read-only, or full, during an upload: the user is told in
plain Chinese that nothing was saved, and no row is left without its file. Every upload of the
portal goes through ``tsprotect.core.uploads.storing_files``; these are its four busiest users:
a dossier document, a demonstration application's attachment, complaint evidence and a
directory import. Each is first shown to work on the same volume, so a refusal is the storage's.
"""

import pytest

from tsprotect.core.validators import make_uscc

from .services import Browser, Volume, pdf_bytes, problems

NOT_STORED = "文件无法保存"
CHANGSHA = "430100"


@pytest.fixture(scope="module")
def volumes(stack):
    """tmpfs on the media and evidence folders (the demo's files stay hidden underneath)."""
    media, evidence = Volume(stack.media, "2m"), Volume(stack.evidence, "2m")
    yield media, evidence
    media.unmount()
    evidence.unmount()


@pytest.fixture
def officer(running):
    browser = Browser(running.base)
    assert running.follow_login(browser, "officer_430100").status == 200
    return browser


def count(stack, table):
    return stack.postgres.query(f"SELECT count(*) FROM {table}")[0][0]


# The worker files the monthly reports into the media folder whenever beat asks, so during a
# test it may add (or fail to add) files there that no upload made.
WORKER_OUTPUT = "reports/"


def _added(volume, present):
    return {
        path: size
        for path, size in volume.files().items()
        if path not in present and not path.startswith(WORKER_OUTPUT)
    }


def first(stack, sql):
    rows = stack.postgres.query(sql)
    assert rows, f"the demo has no row for: {sql}"
    return rows[0][0]


def _csv(number):
    headers = ["统一社会信用代码", "企业名称", "法定代表人", "地址", "县市区", "行业大类代码"]
    row = [
        make_uscc("430104", f"MA4LF{number:04d}"),
        f"长沙存储测试{number}有限公司",
        "张三",
        "长沙市岳麓区麓谷大道1号",
        "岳麓区",
        "40",
    ]
    return ("\r\n".join([",".join(headers), ",".join(row)]) + "\r\n").encode("utf-8-sig")


class Uploads:
    """The four uploads, each as (post it, the table its rows go to, the volume it writes)."""

    def __init__(self, stack, officer, volumes):
        self.stack, self.officer = stack, officer
        self.media_volume, self.evidence_volume = volumes
        self.enterprise = first(
            stack, f"SELECT id FROM enterprises_enterprise WHERE prefecture_id = '{CHANGSHA}'"
        )
        self.application = first(
            stack,
            "SELECT id FROM demonstrations_demonstrationapplication "
            f"WHERE state = 'draft' AND prefecture_id = '{CHANGSHA}' ORDER BY id",
        )
        self.complaint = first(
            stack,
            "SELECT id FROM complaints_complaint "
            f"WHERE prefecture_id = '{CHANGSHA}' AND state <> 'closed' ORDER BY id",
        )
        self.imports = 0

    def dossier(self, content):
        answer = self.officer.post(
            f"/enterprises/{self.enterprise}/documents/",
            {"title": "保密制度", "kind": "rules"},
            files=[("file", "rules.pdf", content)],
        )
        return self.officer.follow(answer)

    def attachment(self, content):
        answer = self.officer.post(
            f"/demonstrations/{self.application}/attachments/",
            {"title": "制度汇编"},
            files=[("file", "rules.pdf", content)],
        )
        return self.officer.follow(answer)

    def evidence_files(self, *contents):
        answer = self.officer.post(
            f"/complaints/{self.complaint}/evidence/",
            {"title": "合同"},
            files=[("files", f"evidence-{i}.pdf", c) for i, c in enumerate(contents)],
        )
        return self.officer.follow(answer)

    def evidence(self, content):
        return self.evidence_files(content)

    def directory_import(self, _content):
        self.imports += 1
        answer = self.officer.post(
            "/enterprises/import/",
            {"prefecture": CHANGSHA},
            files=[("file", "enterprises.csv", _csv(self.imports))],
        )
        return self.officer.follow(answer)

    def cases(self):
        return [
            ("dossier", self.dossier, "enterprises_enterprisedocument", self.media_volume),
            (
                "attachment",
                self.attachment,
                "demonstrations_applicationattachment",
                self.media_volume,
            ),
            ("evidence", self.evidence, "complaints_evidencefile", self.evidence_volume),
            ("import", self.directory_import, "enterprises_importbatch", self.media_volume),
        ]


@pytest.fixture
def uploads(running, officer, volumes):
    media, evidence = volumes
    for volume in volumes:
        volume.writable()
        volume.empty()
    yield Uploads(running, officer, volumes)
    for volume in volumes:
        volume.writable()
        volume.empty()


@pytest.mark.parametrize("fault", ["read-only", "full"])
def test_an_upload_to_a_failed_storage_is_refused_cleanly(running, uploads, fault):
    stack = running
    content = pdf_bytes(64 * 1024)
    for name, post, table, volume in uploads.cases():
        # On a working volume: stored, one row, its file there.
        rows = count(stack, table)
        present = volume.files()
        answer = post(content)
        assert answer.status == 200 and NOT_STORED not in answer.body, (
            name,
            answer.status,
            problems(answer.body),
        )
        assert count(stack, table) == rows + 1, name
        stored = _added(volume, present)
        assert len(stored) == 1, (name, stored)
        volume.empty()
        present = volume.files()

        # The fault: refused with the message, no row, nothing complete left on the volume.
        if fault == "read-only":
            volume.read_only()
        else:
            volume.fill()
        try:
            answer = post(content)
        finally:
            volume.writable()
        assert answer.status in (200, 400), (name, answer.status, problems(answer.body))
        assert NOT_STORED in answer.body, (name, problems(answer.body))
        assert "Traceback" not in answer.body
        assert count(stack, table) == rows + 1, f"{name}: a row without its file"
        left = _added(volume, present)
        if fault == "read-only":
            assert left == {}, (name, left)
        else:
            # The write that ran out of space leaves what it wrote (nothing here: the volume was
            # full); nothing a row could point to.
            assert all(size < len(content) for size in left.values()), (name, left)
        volume.empty()


def test_evidence_stored_before_a_later_file_fails_is_removed_with_its_row(running, uploads):
    """Two evidence files in one post: the first fits, the second fills the volume. Both rows
    roll back, and the first file, already written, is deleted."""
    stack = running
    table = "complaints_evidencefile"
    rows = count(stack, table)
    small, large = pdf_bytes(64 * 1024), pdf_bytes(3 * 1024 * 1024)  # the volume holds 2 MB
    answer = uploads.evidence_files(small, large)
    assert NOT_STORED in answer.body, problems(answer.body)
    assert count(stack, table) == rows
    left = uploads.evidence_volume.files()
    assert len(small) not in left.values(), f"the first file outlived its row: {left}"
