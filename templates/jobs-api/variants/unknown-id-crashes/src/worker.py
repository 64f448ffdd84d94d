"""The worker: takes job ids off the queue one at a time and does each job."""
import os
import time

from jobs import get_job_by_id, q, update_job_status

WORK_SECONDS = float(os.environ.get("WORK_SECONDS", "5"))


@q.worker
def do_work(jid):
    update_job_status(jid, "in progress")
    time.sleep(WORK_SECONDS)  # the work itself, in this exercise
    update_job_status(jid, "complete")
    print(f"job {jid} complete")


do_work()
