'use strict';
/**
 * Exercise 1 (Node.js) consumer: print the messages from the task queue.
 *
 * Run it in the node container (labs shell node, then in /lab):
 *
 *     node consumer.js
 *
 * Take the messages from the front of the Redis list hotqueue:queue (db 1), one at a time, and
 * print each one, decoded with JSON.parse, on its own line as soon as it arrives. The script
 * never ends by itself: when the queue is empty it waits for the next message (Ctrl-C stops it).
 */
const Redis = require('ioredis');

// The same queue as the producer's: Redis at REDIS_IP (redis-db), port 6379, db 1.
const redis = new Redis({ host: process.env.REDIS_IP || 'redis-db', port: 6379, db: 1 });
const QUEUE = 'hotqueue:queue';

async function main() {
  // TODO: loop forever: wait for the next item with a blocking pop,
  //       await redis.blpop(QUEUE, 0), which resolves to [key, item] when an item arrives
  //       (0: wait as long as it takes), then print JSON.parse(item) with console.log.
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => redis.quit());
