"""Consumer: stops at the first empty queue (a q.get() loop that breaks on None)."""
import os

from hotqueue import HotQueue

q = HotQueue("queue", host=os.environ.get("REDIS_IP", "redis-db"), port=6379, db=1)

while True:
    item = q.get()
    if item is None:
        break
    print(item)
