from celery import shared_task

from . import importing


@shared_task(acks_late=True)
def expire_import_previews():
    """Hourly: previews left unconfirmed past IMPORT_PREVIEW_KEEP_HOURS give back their rows and
    files. Safe to run again."""
    return importing.expire_previews()
