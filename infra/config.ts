/**
 * Deployment settings read from CDK context (`cdk.json` or `-c key=value`), parsed once and
 * validated, so a typo in a bureau code or an address fails the synth instead of silently
 * dropping a bureau's alerts.
 *
 *   -c alertEmails='{"EITB":["a@x.cn"],"FIN":["f@x.cn"]}'   bureau e-mails, by unit code
 *   -c opsEmails='["ops@x.cn"]'                              operators who receive CloudWatch alarms
 *   -c exportRetentionDays=10950                             Object Lock (governance) retention of exported files
 */
import type { Node } from 'constructs';
import * as z from 'zod';
import { UNITS, type UnitCode } from '../shared/domain/units.ts';

export interface DeployConfig {
  /** Unit code → addresses; each address becomes one e-mail subscription filtered on `unit`. */
  readonly alertEmails: Partial<Record<UnitCode, readonly string[]>>;
  /** Addresses subscribed (unfiltered) to the operations topic that the alarms notify. */
  readonly opsEmails: readonly string[];
  /**
   * Days each exported file version is kept under S3 Object Lock in governance mode (issue 13,
   * finding 3). Default 30 years: the archive period of accounting vouchers (会计档案管理办法).
   */
  readonly exportRetentionDays: number;
  /** The console on CloudFront (infra/constructs/console.ts); left out unless both are given. */
  readonly console?: { readonly domainName: string; readonly certificateArn: string; readonly authDomain?: string };
}

const unitCodes = UNITS.map((u) => u.code) as [UnitCode, ...UnitCode[]];
const email = z.email();
const alertEmailsSchema = z.partialRecord(z.enum(unitCodes), z.array(email));
const opsEmailsSchema = z.array(email);
export const DEFAULT_EXPORT_RETENTION_DAYS = 30 * 365;
// S3 Object Lock takes 1 day to 100 years.
const retentionDaysSchema = z.coerce.number().int().min(1).max(36_500);

/** `-c` passes strings; `cdk.json` and tests pass JSON values. Accept both. */
function jsonish(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text === '') return undefined;
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new Error(`context value is not valid JSON: ${text}`, { cause });
    }
  }
  // A bare comma-separated list is allowed for opsEmails: -c opsEmails=a@x.cn,b@x.cn
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function parse<T>(key: string, schema: z.ZodType<T>, raw: unknown, fallback: T): T {
  const value = jsonish(raw);
  if (value === undefined || value === null) return fallback;
  const result = schema.safeParse(value);
  if (!result.success) {
    const known = unitCodes.join(' ');
    throw new Error(
      `invalid context value "${key}": ${z.prettifyError(result.error)}\n(unit codes: ${known})`,
    );
  }
  return result.data;
}

export function parseDeployConfig(context: {
  alertEmails?: unknown; opsEmails?: unknown; exportRetentionDays?: unknown; consoleDomain?: unknown; consoleCertificateArn?: unknown; consoleAuthDomain?: unknown;
}): DeployConfig {
  const alertEmails = parse('alertEmails', alertEmailsSchema, context.alertEmails, {});
  const opsEmails = parse('opsEmails', opsEmailsSchema, context.opsEmails, []);
  for (const [unit, addresses] of Object.entries(alertEmails)) {
    const seen = new Set<string>();
    for (const address of addresses ?? []) {
      const key = address.toLowerCase();
      if (seen.has(key)) throw new Error(`alertEmails.${unit} lists ${address} twice`);
      seen.add(key);
    }
  }
  const exportRetentionDays = parseRetention(context.exportRetentionDays);
  return { alertEmails, opsEmails, exportRetentionDays, ...consoleConfig(context) };
}

/** A number of days: `-c exportRetentionDays=3650` passes a string, cdk.json and tests a number. */
function parseRetention(raw: unknown): number {
  const value = typeof raw === 'string' ? raw.trim() : raw;
  if (value === undefined || value === null || value === '') return DEFAULT_EXPORT_RETENTION_DAYS;
  const result = retentionDaysSchema.safeParse(value);
  if (!result.success) throw new Error(`invalid context value "exportRetentionDays": a whole number of days from 1 to 36500, got ${JSON.stringify(raw)}`);
  return result.data;
}

/**
 *   -c consoleDomain=console.bursar.example.cn -c consoleCertificateArn=arn:aws:acm:us-east-1:...
 *   [-c consoleAuthDomain=<Cognito hosted UI domain>]
 * TLS 1.2+ needs a certificate of the console's own (CloudFront's default one allows TLS 1.0).
 */
function consoleConfig(context: { consoleDomain?: unknown; consoleCertificateArn?: unknown; consoleAuthDomain?: unknown }): Pick<DeployConfig, 'console'> {
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const domainName = text(context.consoleDomain);
  const certificateArn = text(context.consoleCertificateArn);
  const authDomain = text(context.consoleAuthDomain);
  if (!domainName && !certificateArn) return {};
  if (!domainName || !certificateArn) throw new Error('the console needs both consoleDomain and consoleCertificateArn');
  if (!/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[A-Za-z0-9-]+$/.test(certificateArn)) {
    throw new Error(`consoleCertificateArn must be an ACM certificate in us-east-1 (CloudFront's requirement), got ${certificateArn}`);
  }
  return { console: { domainName, certificateArn, ...(authDomain ? { authDomain } : {}) } };
}

export function readDeployConfig(node: Node): DeployConfig {
  return parseDeployConfig({
    alertEmails: node.tryGetContext('alertEmails'),
    opsEmails: node.tryGetContext('opsEmails'),
    exportRetentionDays: node.tryGetContext('exportRetentionDays'),
    consoleDomain: node.tryGetContext('consoleDomain'),
    consoleCertificateArn: node.tryGetContext('consoleCertificateArn'),
    consoleAuthDomain: node.tryGetContext('consoleAuthDomain'),
  });
}
