"""Exercise 1 consumer: print the messages from the task queue.

Run it in the python container (labs shell python, then in /lab):

    python consumer.py

Print every message from the queue, each on its own line, as soon as it arrives. The script
never ends by itself: when the queue is empty it waits for the next message (Ctrl-C stops it).
"""
import os

from hotqueue import HotQueue

# The same queue as the producer's: Redis at REDIS_IP (redis-db), port 6379, db 1.
q = HotQueue("queue", host=os.environ.get("REDIS_IP", "redis-db"), port=6379, db=1)

# TODO: receive the messages with a for loop over q.consume() and print each one.
