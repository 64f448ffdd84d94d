"""The jobs: their records in Redis (db 0) and the task queue of their ids (db 1).

Everything that touches a job goes here, so the API and the worker never talk to Redis themselves.
Start private helpers' names with an underscore (_save_job); public ones without (add_job).
"""
import json
import os
import uuid

import redis
from hotqueue import HotQueue

# Redis runs in its own container; the compose file gives its name in REDIS_IP.
_redis_ip = os.environ.get("REDIS_IP", "redis-db")

# TODO: a Redis client for the job records (db 0), and q = HotQueue("queue", ..., db=1) for their ids.


def _generate_jid():
    return str(uuid.uuid4())


# TODO: _save_job(job): store the record (json.dumps(job)) under a key that names the job's id.

# TODO: _queue_job(jid): put the id on the queue.


def add_job(start, end, status="submitted"):
    """Stores a new job's record, puts its id on the queue, and returns the record."""
    # TODO: {"id": ..., "status": status, "start": start, "end": end}, saved, then queued.
    raise NotImplementedError


def get_job_by_id(jid):
    """The job's record, or None when there is none."""
    # TODO
    raise NotImplementedError


def update_job_status(jid, status):
    """Sets the job's status in its record."""
    # TODO
    raise NotImplementedError
