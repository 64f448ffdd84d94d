"""The worker: takes job ids off the queue one at a time and does each job."""
import logging
import os
import time

from jobs import get_job_by_id, q, update_job_status

WORK_SECONDS = float(os.environ.get("WORK_SECONDS", "5"))


def _analyse(job):
    time.sleep(WORK_SECONDS)
    return int(job["start"]) / (int(job["start"]) - int(job["start"]))  # the "analysis" has a bug


@q.worker
def do_work(jid):
    try:
        job = get_job_by_id(jid)
        update_job_status(jid, "in progress")
        _analyse(job)
        update_job_status(jid, "complete")
    except Exception:
        logging.exception("job %s failed", jid)


do_work()
