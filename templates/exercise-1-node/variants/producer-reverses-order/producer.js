'use strict';
/** Exercise 1 (Node.js) producer: push each command-line argument onto the task queue, in order. */
const Redis = require('ioredis');

const redis = new Redis({ host: process.env.REDIS_IP || 'redis-db', port: 6379, db: 1 });
const QUEUE = 'hotqueue:queue';

async function main() {
  for (const msg of process.argv.slice(2)) {
    await redis.lpush(QUEUE, JSON.stringify(msg));
  }
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => redis.quit());
