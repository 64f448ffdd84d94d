"""Exercise 1 consumer: print every message from the task queue; wait for more, forever."""
import os

import redis

# socket_timeout=None: wait in BLPOP for ever with redis-py 8 too (its default is 5 s).
r = redis.Redis(host=os.environ.get("REDIS_IP", "redis-db"), port=6379, db=1, socket_timeout=None)

while True:
    # What BLPOP returns is (key, the pickled bytes): this prints b'\x80\x04\x95...', not the message.
    print(r.blpop("hotqueue:queue")[1])
