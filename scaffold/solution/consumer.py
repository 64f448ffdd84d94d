"""Consumer: print every message from the task queue; wait for more, forever."""
import os

from hotqueue import HotQueue

q = HotQueue("queue", host=os.environ.get("REDIS_IP", "redis-db"), port=6379, db=1)

for item in q.consume():
    print(item)
