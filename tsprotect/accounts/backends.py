"""Django's ModelBackend, with each user's model permissions read from the shared cache
(tsprotect/core/permcache.py) instead of two queries on every page that asks."""

from django.contrib.auth.backends import ModelBackend

from tsprotect.core import permcache


class CachedModelBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            parent = super().get_all_permissions
            user_obj._perm_cache = permcache.cached(user_obj, "perms", lambda: parent(user_obj))
        return user_obj._perm_cache
