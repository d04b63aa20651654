"""Backup and restore of the demo portal, through `make backup` / `make restore` and the
management commands, on databases of this test's own on the real PostgreSQL.

The demo portal is migrated and seeded into a database of its own, with a dossier document and
a piece of evidence uploaded through the services on top of the demo's files. Its archive is
restored into another new database and other folders: every table has the same rows and every
file the same checksum. A restore into a database that has tables or into a folder that has files
is refused, and so is an archive with a damaged member; a restore that fails once it has begun
(a dump that cannot be read, a table whose rows differ from the manifest) leaves the database
without a table and the folders empty.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg2
import pytest
import redis
from django.conf import settings
from django.db import connection

from tsprotect.core import backup, tasks

PREFIX = "tsprotect_backupt_"
BASE_DIR = Path(settings.BASE_DIR)

UPLOADS = """
from django.core.files.base import ContentFile
from complaints import services as complaint_services
from complaints.models import Complaint
from complaints.workflow import State
from enterprises import services as enterprise_services
from enterprises.models import Enterprise, EnterpriseDocument
from tsprotect.accounts.models import User
from tsprotect.core.uploads import check_upload

PDF = b"%PDF-1.4\\n1 0 obj<<>>endobj\\ntrailer<<>>\\n%EOF\\n"
officer = User.objects.get(username="officer_430100")
upload = ContentFile(PDF + b"dossier", name="保密制度.pdf")
enterprise_services.add_document(
    Enterprise.objects.get(name="长沙麓谷芯片科技有限公司"), upload, check_upload(upload),
    title="保密制度", kind=EnterpriseDocument.Kind.OTHER, user=officer,
)
complaint = Complaint.objects.restrict(officer, "change").exclude(state=State.CLOSED).first()
upload = ContentFile(PDF + b"evidence", name="离职员工邮件.pdf")
complaint_services.add_evidence(
    complaint, upload, check_upload(upload), title="离职员工邮件", user=officer
)
"""


def _server():
    db = connection.settings_dict
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"] or "postgres",
        "password": db["PASSWORD"] or "",
    }


def _database_url(name, user=None, password=None):
    server = _server()
    user, password = user or server["user"], password or server["password"]
    password = f":{password}" if password else ""
    return f"postgres://{user}{password}@{server['host']}:{server['port']}/{name}"


def _admin(sql):
    admin = psycopg2.connect(dbname="postgres", **_server())
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(sql)
    finally:
        admin.close()


class Portal:
    """A database of this test's own and its folders: the environment of one portal."""

    def __init__(self, root: Path, role: str, *, own_login=False):
        self.name = f"{PREFIX}{role}_{uuid.uuid4().hex[:8]}"
        self.media, self.evidence = root / role / "media", root / role / "evidence"
        self.backups = root / "backups"
        # As in production: a login of its own, owner of its database and nothing more.
        self.user, self.password = (self.name, uuid.uuid4().hex) if own_login else (None, None)
        if own_login:
            _admin(f"CREATE ROLE {self.user} LOGIN PASSWORD '{self.password}'")
        _admin(
            f"CREATE DATABASE {self.name} TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'" + (f" OWNER {self.user}" if own_login else "")
        )

    def drop(self):
        _admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        if self.user:
            _admin(f"DROP ROLE IF EXISTS {self.user}")

    def environment(self, **extra) -> dict:
        return {
            "DATABASE_URL": _database_url(self.name, self.user, self.password),
            "MEDIA_ROOT": str(self.media),
            "EVIDENCE_ROOT": str(self.evidence),
            "BACKUP_DIR": str(self.backups),
            "DEBUG": "false",
            **extra,
        }

    def env_file(self) -> Path:
        """The portal's environment as the file `make stack` writes (KEY=value lines)."""
        path = self.backups.parent / f"{self.name}.env"
        path.write_text("".join(f"{key}={value}\n" for key, value in self.environment().items()))
        return path

    def manage(self, *args, check=True, **extra):
        env = {**os.environ, **self.environment(**extra)}
        result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if check:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    def row_counts(self) -> dict[str, int]:
        db = psycopg2.connect(dbname=self.name, **_server())
        try:
            with db.cursor() as cursor:
                return backup._row_counts(cursor)
        finally:
            db.close()

    def files(self) -> dict[str, str]:
        """Relative path → SHA-256 of every file in the media and evidence folders."""
        found = {}
        for folder, root in (("media", self.media), ("evidence", self.evidence)):
            for path in sorted(root.rglob("*")) if root.exists() else ():
                if path.is_file():
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                    found[f"{folder}/{path.relative_to(root).as_posix()}"] = digest
        return found

    def untouched(self):
        """No table in the database, nothing in the folders."""
        assert self.row_counts() == {}
        assert self.files() == {}


def make(*args, env_file: Path):
    return subprocess.run(  # noqa: S603, S607 - the repository's Makefile
        ["make", "--no-print-directory", *args, f"ENV_FILE={env_file}"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo portal (migrate, seed_demo, two uploads) and its archive made by `make backup`.

    seed_demo sends the report files it queues to a queue of this test's own that no worker
    reads, then dropped: drawing them would take minutes and add nothing that the demo's other
    files do not test, and a worker of another test must not get them."""
    root = tmp_path_factory.mktemp("backup")
    portal = Portal(root, "source")
    queue = f"backup-test-{uuid.uuid4().hex[:8]}"
    seed = (
        "from django.core.management import call_command; from tsprotect.celery import app; "
        f"app.conf.task_default_queue = {queue!r}; call_command('seed_demo')"
    )
    broker = redis.Redis.from_url(settings.REDIS_URL)
    try:
        portal.manage("migrate", "--no-input", "-v0")
        portal.manage(
            "shell", "--no-imports", "-c", seed, DEBUG="true", REDIS_URL=settings.REDIS_URL
        )
        broker.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        portal.manage("shell", "-c", UPLOADS)
        made = make("backup", env_file=portal.env_file())
        assert made.returncode == 0, made.stdout + made.stderr
        (archive,) = portal.backups.iterdir()
        yield portal, archive, made.stdout
    finally:
        portal.drop()
        # The demo portal's cache entries, named after its database, which has gone.
        for key in broker.scan_iter(match=f"*:{portal.name}:*"):
            broker.delete(key)


@pytest.fixture
def target(tmp_path):
    portal = Portal(tmp_path, "target")
    yield portal
    portal.drop()


def damaged_copy(archive: Path, into: Path, change) -> Path:
    """A copy of ``archive`` whose members ``change(name, data)`` rewrites; the manifest is
    rewritten to match when ``change`` returns ``(data, manifest_updated)`` with True."""
    copy = into / archive.name
    with tarfile.open(archive) as source:
        manifest = json.load(source.extractfile(backup.MANIFEST))
        members = [(m, source.extractfile(m).read()) for m in source.getmembers()]
    with tarfile.open(copy, "w", format=tarfile.PAX_FORMAT) as out:
        for member, data in members:
            if member.name == backup.MANIFEST:
                data = json.dumps(manifest).encode()
            else:
                data, recorded = change(member.name, data, manifest)
                if recorded:
                    manifest["members"][member.name] = {
                        "size": len(data),
                        "sha256": hashlib.sha256(data).hexdigest(),
                    }
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return copy


def test_it_restores_the_demo_portal_elsewhere_with_every_row_and_file(demo, tmp_path):
    source, archive, output = demo
    target = Portal(tmp_path, "target", own_login=True)
    try:
        restored_and_compared(source, archive, output, target)
    finally:
        target.drop()


def restored_and_compared(source, archive, output, target):
    assert backup.ARCHIVE_NAME.match(archive.name)
    assert archive.stat().st_mode & 0o777 == 0o600
    assert archive.name in output

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile(backup.MANIFEST))
    counts, files = source.row_counts(), source.files()
    assert manifest["database"]["row_counts"] == counts
    assert "public.complaints_evidencefile" in counts and counts["public.accounts_user"] >= 7
    # The demo's own files, and the two uploaded through the services.
    assert any(name.startswith("media/demonstrations/") for name in files)
    assert any(name.startswith("media/") and "保密制度" in name for name in files)
    assert any(name.startswith("evidence/") and "离职员工邮件" in name for name in files)
    assert {name: entry["sha256"] for name, entry in manifest["members"].items()} == {
        **files,
        backup.DATABASE_MEMBER: manifest["members"][backup.DATABASE_MEMBER]["sha256"],
    }
    assert "0001_initial" in " ".join(manifest["database"]["migrations"])

    restored = make("restore", f"ARCHIVE={archive}", env_file=target.env_file())
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert target.password not in restored.stdout + restored.stderr

    assert target.row_counts() == counts
    assert target.files() == files
    evidence = [path for path in target.evidence.rglob("*") if path.is_file()]
    assert evidence and all(path.stat().st_mode & 0o777 == 0o600 for path in evidence)
    # The restored portal is a working one: its demo officer's password still checks.
    check = target.manage(
        "shell",
        "--no-imports",
        "-c",
        "from tsprotect.accounts.models import User; from django.conf import settings; "
        "print(User.objects.get(username='officer_430100').check_password(settings.DEMO_PASSWORD))",
    )
    assert check.stdout.strip() == "True"


def test_it_refuses_a_database_that_has_tables(demo, tmp_path):
    source, archive, _ = demo
    before = source.row_counts()
    elsewhere = {"MEDIA_ROOT": str(tmp_path / "m"), "EVIDENCE_ROOT": str(tmp_path / "e")}
    refused = source.manage("restore_portal", str(archive), check=False, **elsewhere)
    assert refused.returncode != 0
    assert source.name in refused.stderr and str(len(before)) in refused.stderr
    assert source.row_counts() == before
    assert not (tmp_path / "m").exists() and not (tmp_path / "e").exists()


def test_it_refuses_a_folder_that_has_files(demo, target):
    _, archive, _ = demo
    target.evidence.mkdir(parents=True)
    (target.evidence / "left-over.pdf").write_bytes(b"%PDF-1.4")
    refused = target.manage("restore_portal", str(archive), check=False)
    assert refused.returncode != 0
    assert "EVIDENCE_ROOT" in refused.stderr and str(target.evidence) in refused.stderr
    assert target.row_counts() == {}
    assert [p.name for p in target.evidence.iterdir()] == ["left-over.pdf"]
    assert not target.media.exists()


def test_a_damaged_member_is_named_and_nothing_is_restored(demo, target, tmp_path):
    _, archive, _ = demo
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile(backup.MANIFEST))
    victim = sorted(name for name in manifest["members"] if name.startswith("evidence/"))[-1]

    def flip_a_byte(name, data, manifest):
        if name == victim:
            data = data[:10] + bytes([data[10] ^ 0xFF]) + data[11:]
        return data, False

    damaged = damaged_copy(archive, tmp_path, flip_a_byte)
    checked = target.manage("restore_portal", "--verify-only", str(damaged), check=False)
    assert checked.returncode != 0 and victim in checked.stderr

    refused = target.manage("restore_portal", str(damaged), check=False)
    assert refused.returncode != 0 and victim in refused.stderr
    target.untouched()


def test_a_dump_that_cannot_be_read_leaves_nothing_half_restored(demo, target, tmp_path):
    """The checksums match (the manifest was rewritten with the dump), so the files are
    written; then pg_restore fails, and the files go again."""
    _, archive, _ = demo

    def truncate_the_dump(name, data, manifest):
        if name == backup.DATABASE_MEMBER:
            return data[: len(data) // 2], True
        return data, False

    damaged = damaged_copy(archive, tmp_path, truncate_the_dump)
    refused = target.manage("restore_portal", str(damaged), check=False)
    assert refused.returncode != 0 and "pg_restore" in refused.stderr
    target.untouched()


def test_rows_that_differ_from_the_manifest_roll_the_database_back(demo, target, tmp_path):
    _, archive, _ = demo

    def one_user_more(name, data, manifest):
        if name == backup.DATABASE_MEMBER:
            manifest["database"]["row_counts"]["public.accounts_user"] += 1
        return data, False

    damaged = damaged_copy(archive, tmp_path, one_user_more)
    refused = target.manage("restore_portal", str(damaged), check=False)
    assert refused.returncode != 0 and "public.accounts_user" in refused.stderr
    target.untouched()


def test_it_refuses_the_embedded_sqlite_database(tmp_path):
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "backup_portal"],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            "BACKUP_DIR": str(tmp_path / "backups"),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0 and "PostgreSQL" in result.stderr
    assert not (tmp_path / "backups").exists()


@pytest.mark.django_db
def test_the_nightly_task_backs_up_and_keeps_the_newest(settings, tmp_path):
    """The beat schedule's task writes an archive of this test database and applies the
    retention: past BACKUP_KEEP_DAYS an archive goes, unless it is among the newest."""
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEEP_DAYS, settings.BACKUP_KEEP_NEWEST = 30, 2
    assert settings.CELERY_BEAT_SCHEDULE["portal-backup"]["task"] == tasks.back_up_portal.name
    settings.BACKUP_DIR.mkdir()
    now = dt.datetime.now(dt.UTC)
    old = [
        settings.BACKUP_DIR / f"tsprotect-backup-{now - dt.timedelta(days=days):%Y%m%dT%H%M%SZ}.tar"
        for days in (40, 31, 29)
    ]
    for path in old:
        path.write_bytes(b"")
    unrelated = settings.BACKUP_DIR / "notes.txt"
    unrelated.write_text("kept")

    result = tasks.back_up_portal.apply().get()

    made = Path(result["archive"])
    assert made.exists() and made.stat().st_mode & 0o777 == 0o600
    assert sorted(result["removed"]) == sorted(str(p) for p in old[:2])
    assert old[2].exists() and unrelated.exists()
    with tarfile.open(made) as tar:
        manifest = json.load(tar.extractfile(backup.MANIFEST))
    assert manifest["database"]["name"] == connection.settings_dict["NAME"]

    # Backups that stopped a month ago: the newest two stay, however old.
    shutil.rmtree(settings.BACKUP_DIR)
    settings.BACKUP_DIR.mkdir()
    for path in old:
        path.write_bytes(b"")
    assert backup.prune_backups(now + dt.timedelta(days=60)) == [old[0]]


def test_backup_dir_inside_the_uploads_is_refused(settings, tmp_path):
    settings.BACKUP_DIR = settings.MEDIA_ROOT / "backups"
    with pytest.raises(backup.BackupError, match="MEDIA_ROOT"):
        backup.create_backup()


def settings_of(tmp_path, **env) -> subprocess.CompletedProcess:
    code = (
        "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tsprotect.settings');"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['NAME'], s.BACKUP_DIR, 'portal-backup' in "
        "s.CELERY_BEAT_SCHEDULE)"
    )
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_env_file_is_the_portals_environment_and_may_leave_backups_to_cron(tmp_path):
    env_file = tmp_path / "tsprotect.env"
    env_file.write_text(
        "# written by make stack\n"
        "DATABASE_URL=postgres://tsprotect@127.0.0.1:5432/tsprotect_stack\n"
        f"BACKUP_DIR={tmp_path / 'archives'}\n"
        "BACKUP_NIGHTLY=false\n"
    )
    shown = settings_of(tmp_path, ENV_FILE=str(env_file), DATABASE_URL=_database_url("other"))
    assert shown.stdout.split() == ["tsprotect_stack", str(tmp_path / "archives"), "False"]

    assert settings_of(tmp_path).stdout.split()[2] == "True"

    missing = settings_of(tmp_path, ENV_FILE=str(tmp_path / "absent.env"))
    assert missing.returncode != 0 and "absent.env" in missing.stderr


@pytest.mark.django_db
def test_files_in_object_storage_are_left_to_the_store(settings, tmp_path):
    """With uploads in object storage (STORAGE_BACKEND=s3) the archive holds the database and the
    folders still on disk; an archive holding uploads is not restored into such a portal."""
    settings.BACKUP_DIR = tmp_path / "backups"
    for root, name in ((settings.MEDIA_ROOT, "dossier.pdf"), (settings.EVIDENCE_ROOT, "e.pdf")):
        (root / "complaints").mkdir(parents=True)
        (root / "complaints" / name).write_bytes(b"%PDF-1.4 " + name.encode())
    on_disk = backup.create_backup(dt.datetime(2026, 12, 4, 23, 0, tzinfo=dt.UTC))
    assert on_disk.manifest["object_storage"] == []
    assert "media/complaints/dossier.pdf" in on_disk.manifest["members"]

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    in_store = backup.create_backup(dt.datetime(2026, 12, 4, 23, 1, tzinfo=dt.UTC))
    assert in_store.manifest["object_storage"] == ["media"]
    assert set(in_store.manifest["members"]) == {
        backup.DATABASE_MEMBER,
        "evidence/complaints/e.pdf",
    }
    with pytest.raises(backup.BackupError, match="MEDIA_ROOT"):
        backup.restore_backup(on_disk.path)
