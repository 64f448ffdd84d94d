"""Exercise 1 consumer: print every message from the task queue; wait for more, forever."""
import os
import pickle
import time

import redis

r = redis.Redis(host=os.environ.get("REDIS_IP", "redis-db"), port=6379, db=1)

while True:
    for data in r.lrange("hotqueue:queue", 0, -1):
        print(pickle.loads(data))
    time.sleep(0.5)
