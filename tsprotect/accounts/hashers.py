"""Password hashing: Argon2id at OWASP's recommended cost.

Django's own Argon2 parameters (100 MiB, parallelism 8) cost this 2-core server about a quarter of
a second and 100 MiB per login; OWASP's minimum for Argon2id (19 MiB, 2 passes, 1 lane) resists
GPU guessing as well per byte of memory and keeps a login cheap. Hashes made with other
parameters, and PBKDF2 hashes of older accounts, are rehashed at the next successful login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
