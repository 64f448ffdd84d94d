"""Exercise 2 producer (python1): put each command-line argument on the task queue, in order."""
import sys

from hotqueue import HotQueue

q = HotQueue("queue", host="172.17.0.2", port=6379, db=1)

for msg in sys.argv[1:]:
    q.put(msg)
