"""Exercise 3 worker: a consumer made with the @q.worker decorator.

Run it in the python container (labs shell python, then in /lab):

    python worker.py

Write a function echo(item) that prints the item on its own line, turn it into a consumer with
the @q.worker decorator, and call echo() at the end of the file. Called like that, it receives
the messages of the queue one at a time, passes each one to your function, and never returns:
when the queue is empty it waits for the next message (Ctrl-C stops it).
"""
import os

from hotqueue import HotQueue

# Redis runs in its own container; REDIS_IP holds its name (redis-db), the port is 6379.
q = HotQueue("queue", host=os.environ.get("REDIS_IP", "redis-db"), port=6379, db=1)

# TODO: define echo(item), which prints item, decorated with @q.worker.

# TODO: call echo() to start consuming (no argument: the decorator supplies each item).
