"""Producer: put each command-line argument on the task queue, in order.

    python producer.py hello world
"""
import os
import sys

from hotqueue import HotQueue

q = HotQueue("queue", host=os.environ.get("REDIS_IP", "redis-db"), port=6379, db=1)

# TODO: put each message from the command line (sys.argv[1:]) on the queue, in order.
