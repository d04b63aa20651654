"""Backup and restore of the portal: its PostgreSQL database, the uploads (``MEDIA_ROOT``) and the
complaint evidence (``EVIDENCE_ROOT``), in one dated tar archive with a manifest.

The manifest (``manifest.json``, the archive's last member) holds the SHA-256 and size of every
other member, the portal's version, its applied migrations and the row count of every table,
counted in the same snapshot that ``pg_dump`` dumps. A restore checks every checksum before it
writes anything, checks the files again once written, and commits the database only when every
table holds the rows the manifest counted: a restore that fails leaves the target as empty as it
found it.

``manage.py backup_portal`` / ``restore_portal``, ``make backup`` / ``make restore`` and the nightly
Celery task all come here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import OperationalError, connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = "database.dump"
# Archive folder → the setting of the folder it holds, and the storage whose file modes a
# restored file takes (evidence stays readable by the portal's user alone).
FOLDERS = {"media": ("MEDIA_ROOT", "default"), "evidence": ("EVIDENCE_ROOT", "evidence")}
ARCHIVE_NAME = re.compile(r"^tsprotect-backup-(\d{8}T\d{6}Z)\.tar$")
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
# Work files of a backup or restore (the dump, the partial archive) start with this, in
# BACKUP_DIR; one left by a killed process is removed by the next pruning.
WORK_PREFIX = ".tsprotect-work-"
CHUNK = 1024 * 1024
# A table as format('%I.%I') names it: schema and table, each bare or double-quoted.
_IDENTIFIER = r'(?:"(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)'
QUOTED_TABLE = re.compile(rf"{_IDENTIFIER}\.{_IDENTIFIER}")
# libpq's environment variables for the connection options Django passes through OPTIONS.
PG_OPTION_VARIABLES = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
}


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why, for the operator."""


@dataclass
class Backup:
    path: Path
    manifest: dict


# ---------------------------------------------------------------------------------------------
# The database: connection, tools


def _database():
    db = settings.DATABASES["default"]
    # The vendor, not the engine's name: the metrics wrap the engine (tsprotect/monitoring).
    vendor = connection.vendor
    if vendor != "postgresql":
        raise BackupError(
            _(
                "Backup and restore need the portal on PostgreSQL; it runs on %(engine)s "
                "(DATABASE_URL). The embedded SQLite database of `make run` is demo data only."
            )
            % {"engine": vendor}
        )
    return db


def _pg_environment(db) -> dict:
    """The connection of DATABASE_URL for pg_dump, pg_restore and psql, through libpq's
    environment so that the password never appears on a command line or in an error."""
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    for option, variable in PG_OPTION_VARIABLES.items():
        if db.get("OPTIONS", {}).get(option):
            env[variable] = str(db["OPTIONS"][option])
    return env


def _pg_tool(name: str, server_major: int) -> str:
    """The ``name`` binary of the server's major version: Debian installs each version's client
    under /usr/lib/postgresql/N/bin, and the one on PATH may be of another version."""
    candidates = [f"/usr/lib/postgresql/{server_major}/bin/{name}", shutil.which(name)]
    for candidate in candidates:
        if not candidate or not os.access(candidate, os.X_OK):
            continue
        version = subprocess.run(  # noqa: S603 - a PostgreSQL client binary
            [candidate, "--version"], capture_output=True, text=True, check=False
        ).stdout
        found = re.search(r"\b(\d+)(?:\.\d+)+", version)
        if found and int(found.group(1)) == server_major:
            return candidate
    raise BackupError(
        _(
            "No %(tool)s of PostgreSQL %(major)s was found, the version of the database server. "
            "Install the package postgresql-client-%(major)s."
        )
        % {"tool": name, "major": server_major}
    )


def _run(command: list[str], env: dict, what: str):
    result = subprocess.run(  # noqa: S603 - PostgreSQL client binaries, arguments of ours
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = "\n".join(result.stderr.strip().splitlines()[-15:])
        raise BackupError(
            _("%(what)s failed (exit status %(status)s):\n%(detail)s")
            % {"what": what, "status": result.returncode, "detail": detail}
        )
    return result


def _tables(cursor) -> list[str]:
    """Every table of the database outside PostgreSQL's own schemas, schema-qualified."""
    cursor.execute(
        # No parameters: the driver leaves every % as written.
        "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' "
        "AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1"
    )
    return [row[0] for row in cursor.fetchall()]


def _row_counts(cursor) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor):
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - quoted by format('%I')
        counts[table] = cursor.fetchone()[0]
    return counts


def _applied_migrations(cursor) -> list[str]:
    cursor.execute("SELECT to_regclass('public.django_migrations') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return []
    cursor.execute("SELECT app, name FROM public.django_migrations ORDER BY id")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


# ---------------------------------------------------------------------------------------------
# Files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _folder_files(root: Path) -> list[Path]:
    """The regular files under ``root``, sorted; links are not followed (the portal makes none)."""
    if not root.is_dir():
        return []
    found = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories.sort()
        for name in sorted(files):
            path = Path(directory, name)
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def on_disk(folder: str) -> bool:
    """Whether the folder's files are on this machine's file system, where the archive takes
    them from and puts them back; in object storage (STORAGE_BACKEND=s3) they are the store's
    to keep, with its versioning and replication."""
    return isinstance(storages[FOLDERS[folder][1]], FileSystemStorage)


def _folder_root(folder: str) -> Path:
    return Path(getattr(settings, FOLDERS[folder][0])).resolve()


def _backup_dir() -> Path:
    path = Path(settings.BACKUP_DIR).resolve()
    for folder in FOLDERS:
        if path.is_relative_to(_folder_root(folder)):
            raise BackupError(
                _(
                    "BACKUP_DIR (%(dir)s) lies inside %(setting)s: every archive would hold the "
                    "ones before it. Choose a folder outside the portal's files."
                )
                % {"dir": path, "setting": FOLDERS[folder][0]}
            )
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


class _HashingReader:
    """Reads a file into the archive and hashes exactly what was stored."""

    def __init__(self, f):
        self.f, self.digest = f, hashlib.sha256()

    def read(self, size=-1):
        data = self.f.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict:
    with path.open("rb") as f:
        status = os.fstat(f.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = status.st_size, int(status.st_mtime), 0o600
        reader = _HashingReader(f)
        tar.addfile(info, reader)
    return {"size": info.size, "sha256": reader.digest.hexdigest()}


# ---------------------------------------------------------------------------------------------
# Backup


def portal_version() -> str:
    try:
        return metadata.version("tsprotect")
    except metadata.PackageNotFoundError:
        return "unknown"


def create_backup(now: dt.datetime | None = None) -> Backup:
    """Write one archive of the database, the uploads and the evidence into BACKUP_DIR.

    The row counts and ``pg_dump`` read one snapshot (``pg_export_snapshot``), so the manifest
    counts exactly what the dump holds. The files are read after the snapshot: a file uploaded
    meanwhile is in the archive without its row, which a restore keeps harmlessly, and one
    deleted meanwhile is left out. The archive is written under a work name and linked to its
    own when complete, so BACKUP_DIR never holds half of one; it is readable by its owner alone,
    as it holds the evidence.
    """
    db = _database()
    now = (now or timezone.now()).astimezone(dt.UTC)
    backup_dir = _backup_dir()
    final = backup_dir / f"tsprotect-backup-{now.strftime(STAMP_FORMAT)}.tar"
    if final.exists():
        raise BackupError(_("%(archive)s exists already.") % {"archive": final})
    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=backup_dir))
    try:
        dump = work / DATABASE_MEMBER
        snapshot_connection = connection.get_new_connection(connection.get_connection_params())
        try:
            snapshot_connection.autocommit = True
            cursor = snapshot_connection.cursor()
            cursor.execute("SHOW server_version_num")
            server_major = int(cursor.fetchone()[0]) // 10000
            pg_dump = _pg_tool("pg_dump", server_major)
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            row_counts = _row_counts(cursor)
            migrations = _applied_migrations(cursor)
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-password",
                    f"--snapshot={snapshot}",
                    f"--file={dump}",
                ],
                _pg_environment(db),
                "pg_dump",
            )
            cursor.execute("ROLLBACK")
        finally:
            snapshot_connection.close()
        dump_version = _run([pg_dump, "--version"], os.environ.copy(), "pg_dump").stdout.strip()

        partial = work / final.name
        members = {}
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
                members[DATABASE_MEMBER] = _add_file(tar, DATABASE_MEMBER, dump)
                for folder in filter(on_disk, FOLDERS):
                    root = _folder_root(folder)
                    for path in _folder_files(root):
                        name = f"{folder}/{path.relative_to(root).as_posix()}"
                        try:
                            members[name] = _add_file(tar, name, path)
                        except FileNotFoundError:
                            # Deleted since the listing (a rebuilt report's old PDF): nothing
                            # was written for it; an open file stays readable to its end.
                            continue
                manifest = {
                    "format": ARCHIVE_FORMAT,
                    "created_at": now.isoformat(),
                    "portal_version": portal_version(),
                    "database": {
                        "name": db["NAME"],
                        "server_major": server_major,
                        "pg_dump": dump_version,
                        "migrations": migrations,
                        "row_counts": row_counts,
                    },
                    "members": members,
                    "object_storage": [folder for folder in FOLDERS if not on_disk(folder)],
                }
                encoded = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(encoded), int(now.timestamp()), 0o600
                tar.addfile(info, _BytesReader(encoded))
            out.flush()
            os.fsync(out.fileno())
        # A link, not a rename: it refuses to replace an archive written in the same second.
        try:
            os.link(partial, final)
        except FileExistsError:
            raise BackupError(_("%(archive)s exists already.") % {"archive": final}) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Backup(final, manifest)


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.position = data, 0

    def read(self, size=-1):
        end = len(self.data) if size < 0 else self.position + size
        chunk, self.position = self.data[self.position : end], min(end, len(self.data))
        return chunk


# ---------------------------------------------------------------------------------------------
# Retention


def archives(backup_dir: Path | None = None) -> list[tuple[dt.datetime, Path]]:
    """The archives in BACKUP_DIR, newest first, dated by their name (copying an archive
    changes its modification time, not its name)."""
    backup_dir = Path(backup_dir or settings.BACKUP_DIR)
    if not backup_dir.is_dir():
        return []
    found = []
    for path in backup_dir.iterdir():
        match = ARCHIVE_NAME.match(path.name)
        if match and path.is_file():
            taken = dt.datetime.strptime(match.group(1), STAMP_FORMAT).replace(tzinfo=dt.UTC)
            found.append((taken, path))
    return sorted(found, reverse=True)


def prune_backups(now: dt.datetime | None = None) -> list[Path]:
    """Delete the archives older than BACKUP_KEEP_DAYS, always keeping the BACKUP_KEEP_NEWEST
    newest (backups that stopped for a month must not leave none), and the work files of a
    backup or restore killed more than a day ago."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=settings.BACKUP_KEEP_DAYS)
    removed = []
    for taken, path in archives()[settings.BACKUP_KEEP_NEWEST :]:
        if taken < limit:
            path.unlink()
            removed.append(path)
    backup_dir = Path(settings.BACKUP_DIR)
    if backup_dir.is_dir():
        for path in backup_dir.glob(f"{WORK_PREFIX}*"):
            if path.stat().st_mtime < (now - dt.timedelta(days=1)).timestamp():
                shutil.rmtree(path, ignore_errors=True)
    return removed


# ---------------------------------------------------------------------------------------------
# Restore


def _checksum_error(name: str) -> BackupError:
    return BackupError(
        _(
            "The archive is damaged: %(member)s does not match the checksum of its manifest. "
            "Nothing was restored; use another copy of the archive."
        )
        % {"member": name}
    )


def read_archive(path: Path) -> tuple[tarfile.TarFile, dict]:
    """Open an archive and check its shape: a manifest naming exactly its other members, each a
    regular file with a safe name (no absolute path, no ``..``)."""
    try:
        tar = tarfile.open(path, mode="r:")
        members = tar.getmembers()
    except (OSError, tarfile.TarError) as error:
        raise BackupError(
            _("%(archive)s cannot be read as a backup archive: %(error)s")
            % {"archive": path, "error": error}
        ) from None
    by_name = {member.name: member for member in members}
    try:
        manifest = json.load(tar.extractfile(by_name[MANIFEST]))
        listed = manifest["members"]
        if manifest["format"] != ARCHIVE_FORMAT:
            raise ValueError(manifest["format"])
    except (KeyError, TypeError, ValueError, tarfile.TarError):
        tar.close()
        raise BackupError(
            _("%(archive)s has no readable manifest of a tsprotect backup.") % {"archive": path}
        ) from None
    for member in members:
        name = PurePosixPath(member.name)
        safe = (
            member.isfile()
            and not name.is_absolute()
            and ".." not in name.parts
            and (
                member.name in (MANIFEST, DATABASE_MEMBER)
                or (len(name.parts) > 1 and name.parts[0] in FOLDERS)
            )
        )
        if not safe or (member.name != MANIFEST and member.name not in listed):
            tar.close()
            raise BackupError(
                _("%(archive)s holds %(member)s, which its manifest does not list.")
                % {"archive": path, "member": member.name}
            )
    missing = sorted(set(listed) - set(by_name))
    if missing or len(by_name) != len(members) or DATABASE_MEMBER not in listed:
        tar.close()
        raise BackupError(
            _("%(archive)s lacks members its manifest lists: %(members)s")
            % {"archive": path, "members": ", ".join(missing) or DATABASE_MEMBER}
        )
    return tar, manifest


def verify_archive(tar: tarfile.TarFile, manifest: dict):
    """Every member against the manifest's size and SHA-256, reading the archive through."""
    for member in tar.getmembers():
        if member.name == MANIFEST:
            continue
        expected = manifest["members"][member.name]
        digest = hashlib.sha256()
        try:
            source = tar.extractfile(member)
            while block := source.read(CHUNK):
                digest.update(block)
        except (OSError, tarfile.TarError):  # an archive cut short
            raise _checksum_error(member.name) from None
        if member.size != expected["size"] or digest.hexdigest() != expected["sha256"]:
            raise _checksum_error(member.name)


def _check_migrations(manifest: dict):
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    unknown = [name for name in manifest["database"]["migrations"] if name not in known]
    if unknown:
        raise BackupError(
            _(
                "The archive was made by a newer version of the portal (%(version)s): this one "
                "does not have the migrations %(migrations)s. Restore it with that version."
            )
            % {"version": manifest["portal_version"], "migrations": ", ".join(unknown[:5])}
        )


def _check_storage(manifest: dict):
    for folder in FOLDERS:
        held = any(name.startswith(f"{folder}/") for name in manifest["members"])
        if held and not on_disk(folder):
            raise BackupError(
                _(
                    "The archive holds the files of %(setting)s, but this portal keeps them in "
                    "object storage (STORAGE_BACKEND). Restore with STORAGE_BACKEND=filesystem, "
                    "then copy the folder into the bucket."
                )
                % {"setting": FOLDERS[folder][0]}
            )


def _check_targets_empty():
    try:
        with connection.cursor() as cursor:
            tables = _tables(cursor)
    except OperationalError as error:
        raise BackupError(
            _(
                "The database %(database)s cannot be reached: %(error)s Create it first, empty "
                "(createdb), and check DATABASE_URL."
            )
            % {"database": settings.DATABASES["default"]["NAME"], "error": str(error).strip()}
        ) from None
    if tables:
        raise BackupError(
            _(
                "The database %(database)s already has %(count)d tables: a restore goes only into "
                "an empty database. Create a new one (createdb) or point DATABASE_URL at one."
            )
            % {"database": settings.DATABASES["default"]["NAME"], "count": len(tables)}
        )
    for folder in filter(on_disk, FOLDERS):
        root = _folder_root(folder)
        if root.exists() and any(root.iterdir()):
            raise BackupError(
                _(
                    "%(setting)s (%(dir)s) is not empty: a restore goes only into empty folders. "
                    "Move its contents away or point %(setting)s at a new folder."
                )
                % {"setting": FOLDERS[folder][0], "dir": root}
            )


def _restore_files(tar: tarfile.TarFile, manifest: dict):
    """Write the media and evidence members into their folders, with the file modes their
    storage gives an upload, checking each file as written and again as read back from disk."""
    written = []
    for member in tar.getmembers():
        folder = PurePosixPath(member.name).parts[0]
        if folder not in FOLDERS:
            continue
        storage = storages[FOLDERS[folder][1]]
        file_mode = getattr(storage, "file_permissions_mode", None) or 0o644
        directory_mode = getattr(storage, "directory_permissions_mode", None) or 0o755
        root = _folder_root(folder)
        target = root.joinpath(*PurePosixPath(member.name).parts[1:])
        directory = target.parent
        missing = []
        while not directory.exists():
            missing.append(directory)
            directory = directory.parent
        for directory in reversed(missing):
            directory.mkdir(mode=directory_mode)
            os.chmod(directory, directory_mode)
        digest = hashlib.sha256()
        source = tar.extractfile(member)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, file_mode)
        written.append((target, member.name))
        with os.fdopen(descriptor, "wb") as out:
            while block := source.read(CHUNK):
                digest.update(block)
                out.write(block)
        os.chmod(target, file_mode)
        os.utime(target, (member.mtime, member.mtime))
        if digest.hexdigest() != manifest["members"][member.name]["sha256"]:
            raise _checksum_error(member.name)
    for target, name in written:
        if _sha256(target) != manifest["members"][name]["sha256"]:
            raise BackupError(
                _("%(file)s differs from the archive once written: check the disk.")
                % {"file": target}
            )


def _empty_folders():
    """Remove what a failed restore wrote: the folders were empty before it."""
    for folder in filter(on_disk, FOLDERS):
        root = _folder_root(folder)
        if root.is_dir():
            for path in root.iterdir():
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _row_count_check(row_counts: dict[str, int]) -> str:
    """SQL run in the restore's transaction, before its commit: it raises, and so rolls the
    whole restore back, unless the restored database has exactly the manifest's tables, each
    with the rows counted at backup time."""
    lines = [
        "DO $tsprotect_check$",
        "DECLARE found bigint;",
        "BEGIN",
        "  SELECT count(*) INTO found FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
        "AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%';",
        f"  IF found <> {len(row_counts)} THEN RAISE EXCEPTION "
        f"'tsprotect restore: % tables instead of {len(row_counts)}', found; END IF;",
    ]
    for table, count in row_counts.items():
        # The names come from the manifest as format('%I.%I') wrote them: already quoted.
        if not QUOTED_TABLE.fullmatch(table):
            raise BackupError(_("The manifest names a table oddly: %(table)s") % {"table": table})
        lines.append(f"  SELECT count(*) INTO found FROM {table};")  # noqa: S608 - checked above
        lines.append(
            f"  IF found <> {int(count)} THEN RAISE EXCEPTION "
            f"'tsprotect restore: table % has % rows instead of {int(count)}', "
            f"{_sql_literal(table)}, found; END IF;"
        )
    lines += ["END", "$tsprotect_check$;", ""]
    return "\n".join(lines)


def restore_backup(path: Path, *, progress=lambda message: None) -> dict:
    """Restore an archive into the empty database of DATABASE_URL and the empty MEDIA_ROOT and
    EVIDENCE_ROOT; refuse, writing nothing, when they are not empty or a checksum differs.

    The files go first, each checked as written and read back; then the database, as one
    transaction (``pg_restore`` → ``psql --single-transaction``) that ends with the row count
    check: a restore that fails anywhere removes the files it wrote and commits nothing.
    """
    db = _database()
    path = Path(path)
    tar, manifest = read_archive(path)
    with tar:
        _check_migrations(manifest)
        _check_storage(manifest)
        _check_targets_empty()
        count = len(manifest["members"])
        progress(_("Checking the checksums of %(count)d members…") % {"count": count})
        verify_archive(tar, manifest)
        server_major = connection.pg_version // 10000
        pg_restore = _pg_tool("pg_restore", server_major)
        psql = _pg_tool("psql", server_major)
        work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=_backup_dir()))
        try:
            progress(_("Restoring the files…"))
            _restore_files(tar, manifest)
            dump, script, check = work / DATABASE_MEMBER, work / "restore.sql", work / "check.sql"
            with dump.open("wb") as out:
                shutil.copyfileobj(tar.extractfile(DATABASE_MEMBER), out, CHUNK)
            if _sha256(dump) != manifest["members"][DATABASE_MEMBER]["sha256"]:
                raise _checksum_error(DATABASE_MEMBER)
            progress(_("Restoring the database…"))
            env = _pg_environment(db)
            # The dump becomes a script first, so that a dump pg_restore cannot read to its end
            # stops before anything reaches the database.
            _run(
                [pg_restore, "--no-owner", "--no-privileges", f"--file={script}", str(dump)],
                env,
                "pg_restore",
            )
            check.write_text(_row_count_check(manifest["database"]["row_counts"]))
            _run(
                [
                    psql,
                    "--no-psqlrc",
                    "--quiet",
                    "--no-password",
                    "--single-transaction",
                    "--set=ON_ERROR_STOP=1",
                    f"--dbname={db['NAME']}",
                    f"--file={script}",
                    f"--file={check}",
                ],
                {**env, "PGOPTIONS": "--client-min-messages=warning"},
                "psql",
            )
        except BaseException:
            _empty_folders()
            raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    connection.close()  # its catalogue caches predate the restored tables
    return manifest
