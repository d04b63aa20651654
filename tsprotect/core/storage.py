"""Object storage shared by several app nodes (``STORAGE_BACKEND=s3``, see settings)."""

from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    """Uploads and evidence in an S3-compatible bucket, private like the local folders: no
    public ACL and no URL, public or pre-signed, that a browser could open without the portal's
    permission check (and, for evidence, without its access log)."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError(
            "Stored files have no URL; the portal's permission-checked views serve them."
        )
