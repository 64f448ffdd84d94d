"""Producer: put each command-line argument on the task queue, in order."""
import os
import sys

from hotqueue import HotQueue

q = HotQueue("queue", host=os.environ.get("REDIS_IP", "redis-db"), port=6379, db=1)

for msg in sys.argv[1:]:
    q.put(msg)
