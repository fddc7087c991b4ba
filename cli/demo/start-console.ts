import '../node-warnings.ts';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DynamoSessionStore } from '../../shared/adapters/dynamo/dynamo-session-store.ts';
import { DynamoUserStore } from '../../shared/adapters/dynamo/dynamo-user-store.ts';
import { addUser } from '../../shared/services/users.ts';
import { main } from '../program.ts';
import { openRuntime } from '../runtime.ts';
import { WEB_DIST } from '../serve-server.ts';
import { dataDir, demo } from './run-demo.ts';

/**
 * `npm start`: the demo (`npm run demo`), then one console user per role on the demo store, with
 * passwords generated for this data dir and printed once (only their scrypt hashes are stored),
 * then `bursar serve` on it until Ctrl-C.
 */
export const DEMO_USERS = [
  { username: 'demo-clerk', roles: ['clerk'], unit: null, what: '财政经办 finance clerk: budgets, runs, exports, bank results' },
  { username: 'demo-reviewer', roles: ['reviewer'], unit: null, what: '财政审核 finance reviewer: approves runs, audit log' },
  { username: 'demo-auditor', roles: ['auditor'], unit: null, what: '内部审计 auditor: reads everything, downloads nothing' },
  { username: 'demo-admin', roles: ['admin'], unit: null, what: '系统管理员 administrator: users only' },
  { username: 'demo-eitb', roles: ['bureau'], unit: 'EITB', what: '区经信局经办 EITB bureau staff' },
  { username: 'demo-stb', roles: ['bureau'], unit: 'STB', what: '区科技局经办 STB bureau staff' },
] as const;

const say = (line = '') => process.stderr.write(`${line}\n`);

async function start(): Promise<void> {
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) {
    throw new Error(`the console is not built (${WEB_DIST}): run npm run build:web (npm ci does it)`);
  }
  await demo();

  const runtime = await openRuntime({ dataDir });
  const credentials: { username: string; password: string; what: string }[] = [];
  try {
    const deps = { users: new DynamoUserStore(runtime.doc, runtime.tableName), sessions: new DynamoSessionStore(runtime.doc, runtime.tableName), clock: runtime.clock };
    for (const u of DEMO_USERS) {
      // 18 random bytes: a 24-character password, new for every demo data dir.
      const password = randomBytes(18).toString('base64url');
      await addUser(deps, 'npm-start', { username: u.username, roles: [...u.roles], unit: u.unit, password });
      credentials.push({ username: u.username, password, what: u.what });
    }
  } finally {
    await runtime.close();
  }

  const port = process.env['PORT'] ?? '8080';
  say('');
  say('Console users for this demo store (the passwords are shown only now; they are stored hashed):');
  for (const c of credentials) say(`  ${c.username.padEnd(15)} ${c.password}   ${c.what}`);
  say('');
  say(`Starting the console on http://127.0.0.1:${port}/ — Ctrl-C to stop.`);
  const code = await main(['--data-dir', dataDir, 'serve', '--port', port]);
  process.exitCode = code;
}

start().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
