'use strict';
/**
 * Exercise 1 (Node.js) producer: put messages on the task queue.
 *
 * Run it in the node container (labs shell node, then in /lab):
 *
 *     node producer.js hello world "two words"
 *
 * Every command-line argument is one message (here three: "hello", "world" and "two words").
 * Push each one onto the end of the Redis list hotqueue:queue (db 1) as JSON.stringify(message),
 * in the order given, and nothing else; then the script ends. This is the queue a Python
 * HotQueue("queue", serializer=json, ...) reads, so both languages can share it.
 */
const Redis = require('ioredis');

// Redis runs in its own container; REDIS_IP holds its name (redis-db), the port is 6379.
const redis = new Redis({ host: process.env.REDIS_IP || 'redis-db', port: 6379, db: 1 });
const QUEUE = 'hotqueue:queue';

async function main() {
  const messages = process.argv.slice(2); // argv[0] is node, argv[1] the script
  // TODO: push each message onto the end of QUEUE, in order: await redis.rpush(QUEUE, ...)
  //       with the message encoded as JSON.stringify(message).
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => redis.quit()); // close the connection, or the script never ends
