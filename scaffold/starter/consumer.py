"""Consumer: print every message from the task queue on its own line; wait for more, forever.

    python consumer.py
"""
import os

from hotqueue import HotQueue

q = HotQueue("queue", host=os.environ.get("REDIS_IP", "redis-db"), port=6379, db=1)

# TODO: receive the messages with a for loop over q.consume() and print each one.
