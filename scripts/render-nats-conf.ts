/**
 * Rewrites nats.conf from src/natsd/config.ts and users.ts (their rendering is the
 * source; test/unit/natsd-config.test.ts fails while the committed file differs):
 *   npx tsx scripts/render-nats-conf.ts
 */
import { writeFileSync } from 'node:fs';
import { DEFAULT_USERS_INCLUDE, renderNatsConf } from '../src/natsd/config.ts';
import { NATS_CONF } from '../src/natsd/server.ts';

writeFileSync(NATS_CONF, renderNatsConf({ usersInclude: DEFAULT_USERS_INCLUDE }));
process.stdout.write(`wrote ${NATS_CONF}\n`);
