from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, cached_property, empty


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


class EvidenceStorageProxy(LazyObject):
    """The ``evidence`` entry of ``STORAGES``, looked up when first used rather than when the
    model is defined, as Django's ``default_storage`` is: the evidence field follows the
    configured backend (local folder or object store) even when the settings change."""

    def _setup(self):
        self._wrapped = storages["evidence"]


evidence_storage = EvidenceStorageProxy()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        evidence_storage._wrapped = empty
