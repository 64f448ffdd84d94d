'use strict';
/** Exercise 1 (Node.js) consumer: print every message from the task queue; wait for more, forever. */
const Redis = require('ioredis');

const redis = new Redis({ host: process.env.REDIS_IP || 'redis-db', port: 6379, db: 1 });
const QUEUE = 'hotqueue:queue';

async function main() {
  for (;;) {
    const item = await redis.lpop(QUEUE);
    if (item === null) break;
    console.log(JSON.parse(item));
  }
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => redis.quit());
