"""Exercise 3 worker: echo(item), turned into a consumer with @q.worker, prints every message."""
import os

from hotqueue import HotQueue

q = HotQueue("queue", host=os.environ.get("REDIS_IP", "redis-db"), port=6379, db=1)


@q.worker(block=False)
def echo(item):
    print(item)


echo()
