from celery import shared_task

from tsprotect.core import backup


@shared_task
def ping():
    """Answered by a worker: lets the health check and tests prove the broker round trip."""
    return "pong"


@shared_task
def back_up_portal():
    """Nightly (CELERY_BEAT_SCHEDULE): one archive into BACKUP_DIR, then the retention applied.
    Acknowledged on receipt: a backup is not worth running twice after a lost worker, the next
    night's is."""
    made = backup.create_backup()
    removed = backup.prune_backups()
    return {"archive": str(made.path), "removed": [str(path) for path in removed]}
