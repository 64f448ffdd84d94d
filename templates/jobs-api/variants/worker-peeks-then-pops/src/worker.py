"""The worker: looks at the next job id, does the job, and only then takes the id off the queue."""
import os
import pickle
import time

import redis

from jobs import get_job_by_id, update_job_status

WORK_SECONDS = float(os.environ.get("WORK_SECONDS", "5"))

_queue = redis.Redis(host=os.environ.get("REDIS_IP", "redis-db"), port=6379, db=1)

while True:
    head = _queue.lindex("hotqueue:queue", 0)
    if head is None:
        time.sleep(0.05)
        continue
    jid = pickle.loads(head)
    if get_job_by_id(jid) is not None:
        update_job_status(jid, "in progress")
        time.sleep(WORK_SECONDS)
        update_job_status(jid, "complete")
    # Taken off only once done, so that a crash mid-job leaves the id on the queue.
    _queue.lpop("hotqueue:queue")
