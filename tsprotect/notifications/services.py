"""Notifications: the one way any app tells users that something happened.

``notify`` writes one row per recipient, and e-mails it when the portal has a mail server
(``EMAIL_HOST``), once the caller's transaction has committed. The header's unread count is kept
in the shared cache under a per-user version token, as the region choices are
(``tsprotect/regions/choices.py``):

- every change to a user's notifications replaces the user's token once its transaction commits,
  so a count cached before the change is never read again;
- while the current transaction holds such a change not yet committed, the count is read from the
  database and not cached;
- the database name is part of the keys, so test databases sharing a Redis never share an entry.
"""

import logging
import re
import smtplib
import uuid
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mass_mail
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from guardian.shortcuts import get_users_with_perms

from .models import Notification

logger = logging.getLogger(__name__)

COUNT_TIMEOUT = 3600  # a cached count outlives its token by at most an hour
# A path inside the portal: one leading slash, no spaces or control characters.
_PATH = re.compile(r"/(?![/\\])[^\s\x00-\x1f\x7f]*")


def is_internal(url: str) -> bool:
    """Whether ``url`` is a path of this portal (never another site, even protocol-relative)."""
    return bool(_PATH.fullmatch(url)) and url_has_allowed_host_and_scheme(url, allowed_hosts=None)


def notify(recipients, *, kind, title, body="", url="", key="") -> int:
    """Tell every active user of ``recipients`` about an event; returns how many were told.

    ``url`` is a path inside the portal ("/demonstrations/12/"), or "" for none; anything else
    raises ValueError. With a ``key``, a user is told at most once: a job that runs again finds
    the key and adds nothing. Each user told who has an e-mail address is also mailed, after the
    transaction commits, when ``EMAIL_HOST`` is set; a mail failure is logged, never raised.
    """
    if url and not is_internal(url):
        raise ValueError(f"A notification links to a path of the portal, not to {url!r}.")
    users = {user.pk: user for user in recipients if user.is_active}
    if not users:
        return 0
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk, kind=kind, title=title, body=body, url=url, key=key, created_at=now
            )
            for pk in users
        ],
        ignore_conflicts=bool(key),
    )
    if key:
        # ignore_conflicts sets no primary keys: this call's rows are those stamped `now`.
        told = set(
            Notification.objects.filter(
                key=key, created_at=now, recipient_id__in=list(users)
            ).values_list("recipient_id", flat=True)
        )
        users = {pk: user for pk, user in users.items() if pk in told}
    if users:
        _changed(users)
        if settings.EMAIL_HOST:
            _mail_after_commit(users.values(), title, body, url)
    return len(users)


def mark_read(user, ids=None) -> int:
    """Mark ``user``'s unread notifications read: those of ``ids``, or all; returns how many."""
    unread = Notification.objects.restrict(user).filter(read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    count = unread.update(read_at=timezone.now())
    if count:
        _changed([user.pk])
    return count


def unread_count(user) -> int:
    """How many notifications ``user`` has not read; from the cache when it holds the count."""
    if not user.is_authenticated:
        return 0
    if _pending(user.pk):
        return _count(user)
    # One round trip: the count is kept with the token it was counted under.
    version_key, count_key = _version_key(user.pk), f"{_prefix()}:count:{user.pk}"
    found = cache.get_many([version_key, count_key])
    token = found.get(version_key)
    if token is None:
        cache.add(version_key, uuid.uuid4().hex, None)
        token = cache.get(version_key)
    kept = found.get(count_key)
    if token and isinstance(kept, tuple) and kept[0] == token:
        return kept[1]
    count = _count(user)
    if token:
        cache.set(count_key, (token, count), COUNT_TIMEOUT)
    return count


def enterprise_users(enterprise_id):
    """The active users who act for the enterprise (its guardian ``act_for_enterprise``)."""
    from enterprises.models import Enterprise

    # guardian needs only the content type and the primary key: no need to read the row.
    enterprise = Enterprise(pk=enterprise_id)
    return get_users_with_perms(
        enterprise, only_with_perms_in=["act_for_enterprise"], with_group_users=True
    ).filter(is_active=True)


def bureau_officers(prefecture_id):
    """The active officers of a prefecture bureau (not its county officers)."""
    from tsprotect.accounts.models import Role, User

    return User.objects.filter(
        is_active=True, role=Role.PREFECTURE_OFFICER, prefecture_id=prefecture_id
    )


def provincial_staff():
    from tsprotect.accounts.models import Role, User

    return User.objects.filter(is_active=True, role=Role.PROVINCE)


# The cached count ---------------------------------------------------------------------------


def _count(user) -> int:
    return Notification.objects.restrict(user).filter(read_at__isnull=True).count()


def _prefix() -> str:
    return f"notifications:{connections[DEFAULT_DB_ALIAS].settings_dict['NAME']}"


def _version_key(user_id) -> str:
    return f"{_prefix()}:version:{user_id}"


@dataclass(frozen=True)
class _NewVersion:
    """Replaces the users' tokens; registered with ``on_commit`` and recognised by ``_pending``."""

    user_ids: frozenset

    def __call__(self):
        token = uuid.uuid4().hex
        cache.set_many({_version_key(pk): token for pk in self.user_ids}, None)


def _changed(user_ids):
    transaction.on_commit(_NewVersion(frozenset(user_ids)))


def _pending(user_id) -> bool:
    """Whether the current transaction has changed the user's notifications without committing."""
    connection = connections[DEFAULT_DB_ALIAS]
    return connection.in_atomic_block and any(
        isinstance(callback, _NewVersion) and user_id in callback.user_ids
        for _sids, callback, *_rest in connection.run_on_commit
    )


# E-mail -------------------------------------------------------------------------------------


def _mail_after_commit(users, title, body, url):
    subject = " ".join(str(title).split())  # a line break in a mail header is refused
    text = "\n\n".join(part for part in (body, url) if part)
    messages = [(subject, text, None, [user.email]) for user in users if user.email]
    if messages:
        transaction.on_commit(partial(_send, messages))


def _send(messages):
    try:
        send_mass_mail(messages, fail_silently=False)
    # The mail server's refusals name the recipients (an enterprise complainant's e-mail among
    # them): their count and the server's code are logged, never the addresses.
    except smtplib.SMTPRecipientsRefused as error:
        logger.error(
            "Could not e-mail %s notification(s): %s recipient(s) refused.",
            len(messages),
            len(error.recipients),
        )
    except smtplib.SMTPResponseException as error:
        logger.error(
            "Could not e-mail %s notification(s): the mail server answered %s (%s).",
            len(messages),
            error.smtp_code,
            type(error).__name__,
        )
    except Exception:  # noqa: BLE001 — a mail server down must not undo what was committed
        logger.exception("Could not e-mail %s notification(s).", len(messages))
