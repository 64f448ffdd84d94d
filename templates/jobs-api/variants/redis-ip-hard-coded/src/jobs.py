"""The jobs: their records in Redis (db 0) and the task queue of their ids (db 1).

Everything that touches a job is here, so the API and the worker never talk to Redis themselves.
Names with a leading underscore are private to this module.
"""
import json
import os
import uuid

import redis
from hotqueue import HotQueue

# The address `docker inspect` showed for Redis on the student's machine.
_redis_ip = "172.17.0.2"

_rd = redis.Redis(host=_redis_ip, port=6379, db=0)
q = HotQueue("queue", host=_redis_ip, port=6379, db=1)


def _generate_jid():
    return str(uuid.uuid4())


def _job_key(jid):
    return f"job.{jid}"


def _instantiate_job(jid, status, start, end):
    return {"id": jid, "status": status, "start": start, "end": end}


def _save_job(job):
    _rd.set(_job_key(job["id"]), json.dumps(job))


def _queue_job(jid):
    q.put(jid)


def add_job(start, end, status="submitted"):
    """Stores a new job's record, puts its id on the queue, and returns the record."""
    job = _instantiate_job(_generate_jid(), status, start, end)
    _save_job(job)
    _queue_job(job["id"])
    return job


def get_job_by_id(jid):
    """The job's record, or None when there is none (or it is not a job's JSON record)."""
    raw = _rd.get(_job_key(jid))
    if raw is None:
        return None
    try:
        job = json.loads(raw)
    except ValueError:
        return None
    return job if isinstance(job, dict) else None


def list_job_ids():
    return sorted(key.decode("utf-8")[len("job."):] for key in _rd.keys("job.*"))


def update_job_status(jid, status):
    """Sets the job's status; False when the job has no record to update."""
    job = get_job_by_id(jid)
    if job is None:
        return False
    job["status"] = status
    _save_job(job)
    return True
