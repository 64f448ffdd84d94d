"""The worker: takes job ids off the queue one at a time and does each job."""
import os
import time

from jobs import q, update_job_status

WORK_SECONDS = float(os.environ.get("WORK_SECONDS", "5"))


# TODO: with @q.worker, a function that gets a job id: status "in progress", time.sleep(WORK_SECONDS),
# then status "complete". Then call it (no argument) to start consuming.
