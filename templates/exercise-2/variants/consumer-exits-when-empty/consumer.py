"""Exercise 2 consumer (python2): print every message from the task queue; wait for more."""
import os

from hotqueue import HotQueue

q = HotQueue("queue", host=os.environ.get("REDIS_IP", "redis-db"), port=6379, db=1)

while True:
    item = q.get()
    if item is None:
        break
    print(item)
