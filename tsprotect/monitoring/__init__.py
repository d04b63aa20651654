"""What the bureau's operators see of the running portal: logs in JSON, each record carrying the
request id, the user and the prefecture it was written for (``logs``, ``middleware``, ``celery``),
and the Prometheus endpoint with request, database and Celery figures (``metrics``)."""
