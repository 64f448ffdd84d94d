"""Exercise 1 consumer: print every message from the task queue; wait for more, forever."""
import os
import pickle

import redis

r = redis.Redis(host=os.environ.get("REDIS_IP", "redis-db"), port=6379, db=1)

while True:
    key, data = r.brpop("hotqueue:queue")
    print(pickle.loads(data))
