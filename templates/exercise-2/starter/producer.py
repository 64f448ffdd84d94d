"""Exercise 2 producer: put messages on the task queue.

Run it in the python1 container (labs shell python1, then in /lab):

    python producer.py hello world "two words"

Every command-line argument is one message (here three: "hello", "world" and "two words").
Put each one on the queue as the string it is, in the order given, and nothing else; then the
script ends.
"""
import os
import sys

from hotqueue import HotQueue

# Redis runs in its own container; REDIS_IP holds its name (redis-db), the port is 6379.
q = HotQueue("queue", host=os.environ.get("REDIS_IP", "redis-db"), port=6379, db=1)

# TODO: put each message from the command line on the queue, in order.
#       sys.argv[0] is the script's name; the messages are the arguments after it.
