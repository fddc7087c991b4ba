import os from 'node:os';
import type { Command } from 'commander';
import { DynamoSessionStore } from '../../shared/adapters/dynamo/dynamo-session-store.ts';
import { DynamoUserStore } from '../../shared/adapters/dynamo/dynamo-user-store.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import { addUser, changePassword, listUsers, setDisabled, type UserDeps, type UserView } from '../../shared/services/users.ts';
import { withRuntime } from '../context.ts';
import { table } from '../output.ts';
import type { Runtime } from '../runtime.ts';

const userDeps = (runtime: Runtime): UserDeps => ({
  users: new DynamoUserStore(runtime.doc, runtime.tableName),
  sessions: new DynamoSessionStore(runtime.doc, runtime.tableName),
  clock: runtime.clock,
});

/** Who manages users at the shell: the operating-system user (recorded in the audit log). */
const cliActor = () => `cli:${os.userInfo().username}`;

/** The password from stdin: its first line, without the line ending. Never an argument (ps, history). */
async function readPasswordStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size > 8192) break;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const password = text.split(/\r?\n/)[0] ?? '';
  if (password === '') throw new ValidationError('WEAK_PASSWORD', 'no password on stdin (use --password-stdin and pipe it in)', { field: 'password' });
  return password;
}

function requireStdin(flag: boolean | undefined): void {
  if (!flag) throw new ValidationError('BAD_OPTION', 'the password is read from stdin only: pass --password-stdin', { field: '--password-stdin' });
}

const userLine = (u: UserView) => `${u.username}  roles ${u.roles.join(',')}${u.unit ? `  unit ${u.unit}` : ''}${u.disabled ? '  (disabled)' : ''}`;

export function registerUsers(program: Command): void {
  const users = program.command('users').description('local users of `bursar serve` and their roles (bureau, clerk, reviewer, auditor, admin)');

  users
    .command('add <username>')
    .description('add a user; the password is read from stdin')
    .requiredOption('--role <roles>', 'role or comma-separated roles: bureau, clerk, reviewer, auditor, admin')
    .option('--unit <code>', 'unit code (bureau users only, required for them)')
    .option('--password-stdin', 'read the password from stdin (at least 10 characters, not the username)')
    .action(async (username: string, opts: { role: string; unit?: string; passwordStdin?: boolean }, command: Command) => {
      requireStdin(opts.passwordStdin);
      const password = await readPasswordStdin();
      await withRuntime(command, async (runtime, out) => {
        const user = await addUser(userDeps(runtime), cliActor(), { username, roles: opts.role.split(','), unit: opts.unit ?? null, password });
        out.result({ user }, () => `Added ${userLine(user)}.`);
      });
    });

  users
    .command('list')
    .description('all users')
    .action(async (_opts: unknown, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const found = await listUsers(userDeps(runtime));
        out.result({ users: found }, () => found.length === 0 ? 'No users.'
          : table(['user', 'roles', 'unit', 'disabled'], found.map((u) => [u.username, u.roles.join(','), u.unit ?? '', u.disabled ? 'yes' : ''])));
      });
    });

  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    users
      .command(`${name} <username>`)
      .description(disabled ? 'disable a user: they cannot sign in and their sessions end' : 'enable a disabled user')
      .action(async (username: string, _opts: unknown, command: Command) => {
        await withRuntime(command, async (runtime, out) => {
          const user = await setDisabled(userDeps(runtime), cliActor(), username, disabled);
          out.result({ user }, () => `${disabled ? 'Disabled' : 'Enabled'} ${userLine(user)}.`);
        });
      });
  }

  users
    .command('passwd <username>')
    .description("set a user's password (read from stdin); their sessions end")
    .option('--password-stdin', 'read the password from stdin')
    .action(async (username: string, opts: { passwordStdin?: boolean }, command: Command) => {
      requireStdin(opts.passwordStdin);
      const password = await readPasswordStdin();
      await withRuntime(command, async (runtime, out) => {
        const user = await changePassword(userDeps(runtime), cliActor(), username, password);
        out.result({ user }, () => `Password changed for ${user.username}.`);
      });
    });
}
