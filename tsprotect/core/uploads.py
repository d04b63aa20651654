"""Upload checks shared by every app: the content decides the type, not the file name; and
the storing of uploads, which fails cleanly when the storage cannot take a file."""

import hashlib
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import PurePath

import magic
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Detected MIME type -> extensions a file of that type may carry.
DOCUMENT_TYPES = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "application/msword": {".doc"},
    "application/vnd.ms-excel": {".xls"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {".xlsx"},
    "application/vnd.ms-word.document.macroenabled.12": set(),  # macros: refused
    "application/zip": {".zip"},
    "application/ofd": {".ofd"},  # China's fixed-layout format (GB/T 33190), a zip container
}
REFUSED_TYPES = {"application/vnd.ms-word.document.macroenabled.12"}
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    size: int
    sha256: str
    name: str

    def stored_fields(self) -> dict:
        """The metadata columns of a stored document (dossier, application attachments)."""
        return {
            "original_name": self.name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


def check_upload(uploaded, *, allowed=None, max_bytes=None) -> CheckedUpload:
    """Validate an uploaded file by size and by its content; raise ValidationError if refused."""
    allowed = allowed or DOCUMENT_TYPES
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    name = PurePath(uploaded.name or "").name
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if uploaded.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; files may be at most %(limit)s.")
            % {"size": filesizeformat(uploaded.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    detected = magic.from_buffer(head, mime=True)
    extension = PurePath(name).suffix.lower()
    if detected == "application/zip" and extension in (".docx", ".xlsx", ".ofd"):
        # libmagic cannot always tell an Office or OFD file from a plain zip in the first bytes.
        detected = {
            ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".ofd": "application/ofd",
        }[extension]
    if detected in REFUSED_TYPES or detected not in allowed:
        raise ValidationError(
            _(
                "This kind of file is not accepted (%(type)s). Accepted: PDF, OFD, Word, Excel, "
                "JPEG, PNG and ZIP."
            )
            % {"type": detected},
            code="type",
        )
    if extension not in allowed[detected]:
        raise ValidationError(
            _(
                "The file name says %(extension)s but its content is %(type)s; please upload "
                "the original file."
            )
            % {"extension": extension or "—", "type": detected},
            code="disguised",
        )
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return CheckedUpload(
        content_type=detected, size=uploaded.size, sha256=digest.hexdigest(), name=name
    )


# ---------------------------------------------------------------------------------------------
# Storing uploads: the storage's failure is the user's clear error, and no row outlives its file

logger = logging.getLogger(__name__)
_pending_files: ContextVar[list | None] = ContextVar("pending_files", default=None)
# A folder that cannot take a file raises OSError; an object store refusing or unreachable
# (STORAGE_BACKEND=s3) raises botocore's errors, which are not OSErrors.
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)


@receiver(pre_save)
def _note_new_files(sender, instance, raw=False, **kwargs):
    """Within ``storing_files``, remember each file a row is about to write (the field writes it
    to storage just after this signal, before the INSERT or UPDATE)."""
    pending = _pending_files.get()
    if pending is None or raw:
        return
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.FileField):
            file = getattr(instance, field.attname)
            if file and not file._committed:
                pending.append(file)


@contextmanager
def storing_files():
    """An atomic block that saves uploaded files with their rows (a decorator too).

    A storage that cannot take a file (a read-only or full media folder, an unmounted share, an
    object store that refuses or does not answer) raises one of STORAGE_ERRORS; here it becomes
    a ValidationError with a message for the user, and the block's rows are rolled back. When
    the block fails for any reason, the files it already wrote are deleted, so that no file
    stays behind for a row that was never saved. (A rollback of an outer transaction after the
    block has succeeded is not seen: wrap the whole service instead.)
    """
    pending: list = []
    token = _pending_files.set(pending)
    try:
        with transaction.atomic():
            yield
    except BaseException as error:
        _discard(pending)
        if isinstance(error, STORAGE_ERRORS):
            logger.error("An upload could not be stored: %s", error)
            raise ValidationError(
                _(
                    "The file could not be stored: the server's storage is unavailable or full. "
                    "Nothing was saved; please try again later, and tell the provincial "
                    "administrator if it persists."
                ),
                code="storage",
            ) from error
        raise
    finally:
        _pending_files.reset(token)
    outer = _pending_files.get()
    if outer is not None:
        outer.extend(pending)  # the enclosing block deletes them if it fails in turn


def _discard(files):
    for file in files:
        if file._committed and file.name:
            try:
                file.storage.delete(file.name)
            except STORAGE_ERRORS as error:  # the storage is gone: nothing more can be done here
                logger.error("Could not delete %s after a failed upload: %s", file.name, error)
