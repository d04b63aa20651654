from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class EvidenceStorage(FileSystemStorage):
    """Complaint evidence, kept under ``EVIDENCE_ROOT``, apart from every other upload and with
    no URL of its own: the permission-checked, logged view is the only way to a file."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.EVIDENCE_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "EVIDENCE_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("Evidence files have no URL; they are served by the evidence view.")
