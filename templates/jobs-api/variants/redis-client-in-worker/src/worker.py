"""The worker: takes job ids off the queue one at a time and does each job."""
import json
import os
import time

import redis

from jobs import q

WORK_SECONDS = float(os.environ.get("WORK_SECONDS", "5"))
# Its own client for the records, where jobs.py has one already (and the functions that use it).
rd = redis.Redis(host=os.environ.get("REDIS_IP", "redis-db"), port=6379, db=0)


def get_job_by_id(jid):
    raw = rd.get(f"job.{jid}")
    return json.loads(raw) if raw is not None else None


def update_job_status(jid, status):
    job = get_job_by_id(jid)
    job["status"] = status
    rd.set(f"job.{jid}", json.dumps(job))


@q.worker
def do_work(jid):
    if get_job_by_id(jid) is None:
        # Nothing to do; the worker goes on with the next job.
        print(f"job {jid} has no record: skipped")
        return
    update_job_status(jid, "in progress")
    time.sleep(WORK_SECONDS)  # the work itself, in this exercise
    update_job_status(jid, "complete")
    print(f"job {jid} complete")


do_work()
