"""Exercise 2 consumer (python2): print every message from the task queue; wait for more."""

from hotqueue import HotQueue

q = HotQueue("queue", host="172.17.0.2", port=6379, db=1)

for item in q.consume():
    print(item)
