from celery import shared_task


@shared_task
def remove_expired_captchas():
    """Each view of the registration form stores a captcha; drop those no longer answerable."""
    from captcha.models import CaptchaStore

    CaptchaStore.remove_expired()
