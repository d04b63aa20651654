from celery import shared_task


@shared_task
def ping():
    """Answered by a worker: lets the health check and tests prove the broker round trip."""
    return "pong"
