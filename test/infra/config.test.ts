import { DEFAULT_EXPORT_RETENTION_DAYS, parseDeployConfig } from '../../infra/config.ts';
import { unitsByAddress } from '../../infra/constructs/notifications.ts';

describe('deploy context', () => {
  test('alertEmails as the JSON string `-c` passes, and as a cdk.json object', () => {
    const json = '{"EITB":["a@x.cn"],"FIN":["f@x.cn"]}';
    expect(parseDeployConfig({ alertEmails: json }).alertEmails).toEqual({ EITB: ['a@x.cn'], FIN: ['f@x.cn'] });
    expect(parseDeployConfig({ alertEmails: { HRSS: ['h@x.cn'] } }).alertEmails).toEqual({ HRSS: ['h@x.cn'] });
  });

  test('nothing configured is allowed (no subscriptions)', () => {
    expect(parseDeployConfig({})).toEqual({ alertEmails: {}, opsEmails: [], exportRetentionDays: DEFAULT_EXPORT_RETENTION_DAYS });
    expect(parseDeployConfig({ alertEmails: '', opsEmails: '' })).toEqual({ alertEmails: {}, opsEmails: [], exportRetentionDays: DEFAULT_EXPORT_RETENTION_DAYS });
  });

  test('exportRetentionDays: 30 years unless set; whole days from 1 to 100 years, as `-c` passes it or as a number', () => {
    expect(DEFAULT_EXPORT_RETENTION_DAYS).toBe(10_950);
    expect(parseDeployConfig({ exportRetentionDays: '3650' }).exportRetentionDays).toBe(3650);
    expect(parseDeployConfig({ exportRetentionDays: 1 }).exportRetentionDays).toBe(1);
    for (const bad of ['0', '-5', '1.5', 'ten years', '36501', 0]) {
      expect(() => parseDeployConfig({ exportRetentionDays: bad })).toThrow(/exportRetentionDays/);
    }
  });

  test('opsEmails as a JSON array or a comma-separated list', () => {
    expect(parseDeployConfig({ opsEmails: '["o@x.cn"]' }).opsEmails).toEqual(['o@x.cn']);
    expect(parseDeployConfig({ opsEmails: 'o@x.cn, p@x.cn' }).opsEmails).toEqual(['o@x.cn', 'p@x.cn']);
  });

  test('an unknown unit code fails the synth and lists the known codes', () => {
    expect(() => parseDeployConfig({ alertEmails: { XYZ: ['a@x.cn'] } })).toThrow(/alertEmails[\s\S]*EITB NRPB STB/);
  });

  test('a malformed address or bad JSON fails the synth', () => {
    expect(() => parseDeployConfig({ alertEmails: { EITB: ['not-an-address'] } })).toThrow(/alertEmails/);
    expect(() => parseDeployConfig({ opsEmails: ['nope'] })).toThrow(/opsEmails/);
    expect(() => parseDeployConfig({ alertEmails: '{"EITB":' })).toThrow(/not valid JSON/);
  });

  test('the same address twice under one unit is a mistake', () => {
    expect(() => parseDeployConfig({ alertEmails: { FIN: ['f@x.cn', 'F@x.cn'] } })).toThrow(/twice/);
  });

  test('an address listed under two units gets one subscription allowing both', () => {
    const map = unitsByAddress({ STB: ['s@x.cn'], DRB: ['S@x.cn'], FIN: ['f@x.cn'] });
    expect([...map.entries()]).toEqual([
      ['s@x.cn', ['STB', 'DRB']],
      ['f@x.cn', ['FIN']],
    ]);
  });
});
