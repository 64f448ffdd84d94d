"""The worker: takes job ids off the queue one at a time and does each job."""
import os
import time

from jobs import get_job_by_id, q, update_job_status

WORK_SECONDS = float(os.environ.get("WORK_SECONDS", "5"))


@q.worker
def do_work(jid)
    if get_job_by_id(jid) is None:
        # Nothing to do; the worker goes on with the next job.
        print(f"job {jid} has no record: skipped")
        return
    update_job_status(jid, "in progress")
    time.sleep(WORK_SECONDS)  # the work itself, in this exercise
    update_job_status(jid, "complete")
    print(f"job {jid} complete")


do_work()
