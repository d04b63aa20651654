"""Database sessions whose per-request save is one UPDATE, at most once a SESSION_REFRESH_SECONDS.

The portal saves the session on every request (``SESSION_SAVE_EVERY_REQUEST``: the idle timeout
restarts with each one). Django's database backend wraps each save in a transaction, which for an
existing session adds a BEGIN and a COMMIT (a savepoint pair inside a transaction) around a single
UPDATE that is atomic by itself: two round trips to the database on every page. Here an existing
session is updated without them; creating a session, which must detect a clash of keys, still
goes through Django's own transaction.

An officer opens a page every few seconds, and rewriting the row each time to move its expiry by
those seconds was a write (and a WAL flush) per page. A session whose data did not change is
rewritten only once its stored expiry lags the new one by ``SESSION_REFRESH_SECONDS``: the idle
timeout then counts from at most that long before the last page.
"""

import datetime as dt

from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import DatabaseError, InterfaceError, OperationalError, router


class SessionStore(DatabaseSessionStore):
    _unreachable = None
    stored_expiry = None  # the row's expire_date as loaded, for a session read from the database

    def load(self):
        # Once the database failed to answer, the session is not asked for again in this
        # request (the session middleware reads it once more on the way out): an outage costs a
        # request one connection timeout, not two.
        if self._unreachable is not None:
            raise self._unreachable
        try:
            return super().load()
        except (OperationalError, InterfaceError) as error:
            self._unreachable = error
            raise

    def _get_session_from_db(self):
        row = super()._get_session_from_db()
        self.stored_expiry = row.expire_date if row else None
        return row

    def save(self, must_create=False):
        if must_create or self.session_key is None:
            return super().save(must_create=must_create)
        if not self.modified and self.stored_expiry is not None:
            lag = self.get_expiry_date() - self.stored_expiry
            if lag < dt.timedelta(seconds=settings.SESSION_REFRESH_SECONDS):
                return
        obj = self.create_model_instance(self._get_session())
        fields = {
            field.attname: getattr(obj, field.attname)
            for field in obj._meta.concrete_fields
            if not field.primary_key
        }
        rows = self.model._default_manager.using(router.db_for_write(self.model, instance=obj))
        try:
            updated = rows.filter(pk=obj.pk).update(**fields)
        except (OperationalError, InterfaceError):
            raise  # the database is unreachable: the 503 page (core/outage.py), not "session lost"
        except DatabaseError as error:
            raise UpdateError from error
        if not updated:
            # The session was deleted meanwhile (logged out elsewhere): not recreated, as in Django.
            raise UpdateError


def end_sessions(user) -> int:
    """End every session of ``user`` at once; returns how many.

    Django's own check refuses a session whose password hash is stale only when it is next used,
    and leaves the row (with the account id) in the table; here it is gone straight away. Sessions
    carry no user column, so the live ones are decoded: with the idle timeout there are at most a
    few hundred, and a password changes rarely.
    """
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    store = SessionStore()
    user_id = str(user.pk)
    live = Session.objects.filter(expire_date__gt=timezone.now()).values_list(
        "session_key", "session_data"
    )
    ended = [key for key, data in live.iterator() if store.decode(data).get(SESSION_KEY) == user_id]
    return Session.objects.filter(session_key__in=ended).delete()[0]
