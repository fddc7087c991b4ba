import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createDynamoClients } from '../../../shared/adapters/dynamo/client.ts';
import { DynamoUserStore } from '../../../shared/adapters/dynamo/dynamo-user-store.ts';
import { DynamoAuditLog } from '../../../shared/adapters/dynamo/dynamo-audit-log.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const env = {
  BURSAR_DYNAMODB_ENDPOINT: process.env['BURSAR_TEST_DYNAMODB_ENDPOINT']!,
  BURSAR_TABLE_NAME: `users-cli-${process.pid}-${Date.now()}`,
};

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'cli/main.ts'), '--json', ...args], {
    cwd: root, env: { ...process.env, NODE_OPTIONS: '', ...env }, encoding: 'utf8', timeout: 120_000, ...(input !== undefined ? { input } : {}),
  });
  return { code: r.status, json: JSON.parse(r.stdout || 'null'), stderr: r.stderr };
}

describe('bursar users', () => {
  test('add, list, disable, enable, passwd; the password is read from stdin and stored only as a scrypt hash', async () => {
    const added = cli(['users', 'add', 'wang.fang', '--role', 'clerk,reviewer', '--password-stdin'], 'correct horse battery\n');
    expect(added.code).toBe(0);
    expect(added.json).toEqual({ user: { username: 'wang.fang', roles: ['clerk', 'reviewer'], unit: null, disabled: false } });
    expect(cli(['users', 'add', 'jxj-1', '--role', 'bureau', '--unit', 'EITB', '--password-stdin'], 'bureau-password-1').json.user)
      .toEqual({ username: 'jxj-1', roles: ['bureau'], unit: 'EITB', disabled: false });

    const { doc } = createDynamoClients({ endpoint: env.BURSAR_DYNAMODB_ENDPOINT });
    const stored = await new DynamoUserStore(doc, env.BURSAR_TABLE_NAME).get('wang.fang');
    expect(stored!.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(JSON.stringify(stored)).not.toContain('correct horse');

    expect(cli(['users', 'list']).json.users.map((u: { username: string }) => u.username)).toEqual(['jxj-1', 'wang.fang']);
    expect(cli(['users', 'disable', 'wang.fang']).json.user.disabled).toBe(true);
    expect(cli(['users', 'enable', 'wang.fang']).json.user.disabled).toBe(false);
    const passwd = cli(['users', 'passwd', 'wang.fang', '--password-stdin'], 'another-good-password\n');
    expect(passwd.code).toBe(0);
    expect((await new DynamoUserStore(doc, env.BURSAR_TABLE_NAME).get('wang.fang'))!.password_hash).not.toBe(stored!.password_hash);

    const audit = await new DynamoAuditLog(doc, env.BURSAR_TABLE_NAME).list({ limit: 20 });
    expect(audit.map((e) => `${e.kind} ${e.subject}`)).toEqual(['user-passwd wang.fang', 'user-enable wang.fang', 'user-disable wang.fang', 'user-add jxj-1', 'user-add wang.fang']);
    expect(audit.every((e) => e.actor.startsWith('cli:'))).toBe(true);
    doc.destroy();
  });

  test.each([
    [['users', 'add', 'shorty', '--role', 'clerk', '--password-stdin'], 'short-pw', 'WEAK_PASSWORD'],
    [['users', 'add', 'samename1', '--role', 'clerk', '--password-stdin'], 'samename1', 'WEAK_PASSWORD'],
    [['users', 'add', 'roleless', '--role', 'boss', '--password-stdin'], 'long-enough-password', 'UNKNOWN_ROLE'],
    [['users', 'add', 'nounit', '--role', 'bureau', '--password-stdin'], 'long-enough-password', 'UNKNOWN_UNIT'],
    [['users', 'add', 'badunit', '--role', 'bureau', '--unit', 'XYZ', '--password-stdin'], 'long-enough-password', 'UNKNOWN_UNIT'],
    [['users', 'add', 'clerkunit', '--role', 'clerk', '--unit', 'EITB', '--password-stdin'], 'long-enough-password', 'UNKNOWN_UNIT'],
    [['users', 'add', 'Upper', '--role', 'clerk', '--password-stdin'], 'long-enough-password', 'BAD_USERNAME'],
    [['users', 'add', 'nostdin', '--role', 'clerk'], undefined, 'BAD_OPTION'],
    [['users', 'disable', 'ghost'], undefined, 'NOT_FOUND'],
    [['users', 'enable', 'ghost'], undefined, 'NOT_FOUND'],
    [['users', 'passwd', 'ghost', '--password-stdin'], 'long-enough-password', 'NOT_FOUND'],
  ])('%j is refused', (args, input, code) => {
    const r = cli(args as string[], input as string | undefined);
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe(code);
  });

  test('an existing username is USER_EXISTS', () => {
    expect(cli(['users', 'add', 'twice', '--role', 'auditor', '--password-stdin'], 'long-enough-password').code).toBe(0);
    const again = cli(['users', 'add', 'twice', '--role', 'admin', '--password-stdin'], 'long-enough-password');
    expect(again.json.error.code).toBe('USER_EXISTS');
  });
});
