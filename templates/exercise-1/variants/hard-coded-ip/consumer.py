"""Exercise 1 consumer: print every message from the task queue; wait for more, forever."""
from hotqueue import HotQueue

q = HotQueue("queue", host="172.17.0.2", port=6379, db=1)

for item in q.consume():
    print(item)
