/** Check kinds by name: the one place a kind is looked up. */
import type { CheckKind } from '../../lab/types.js';
import type { CheckKindRunner } from '../outcome.js';
import { addressCheck } from './address.js';
import { blockingCheck } from './blocking.js';
import { deliveryCheck } from './delivery.js';
import { latencyCheck } from './latency.js';
import { persistenceCheck } from './persistence.js';
import { producerCheck } from './producer.js';
import { restartCheck } from './restart.js';
import { sharingCheck } from './sharing.js';
import { staticCheck } from './static.js';

export const checkKindRunners: Record<CheckKind, CheckKindRunner> = {
  delivery: deliveryCheck,
  sharing: sharingCheck,
  latency: latencyCheck,
  blocking: blockingCheck,
  producer: producerCheck,
  static: staticCheck,
  persistence: persistenceCheck,
  restart: restartCheck,
  address: addressCheck,
};
