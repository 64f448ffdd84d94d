"""Exercise 1 consumer whose Redis client gives up on an idle blocking pop, as redis-py 8 does by
default (a 5 s socket timeout, then retries): here a 1 s timeout and one retry. The blocking pop is
cut, asked again on a new connection, cut again, and consume() dies with
redis.exceptions.TimeoutError: Timeout reading from socket."""
import os

from hotqueue import HotQueue
from redis.backoff import NoBackoff
from redis.retry import Retry

q = HotQueue(
    "queue",
    host=os.environ.get("REDIS_IP", "redis-db"),
    port=6379,
    db=1,
    socket_timeout=1,
    retry_on_timeout=True,
    retry=Retry(NoBackoff(), 1),
)

for item in q.consume():
    print(item)
