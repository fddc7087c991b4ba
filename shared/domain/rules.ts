import type { AwardRecord, RejectReason } from './award.ts';
import { POLICY, findMeasure, isResponsibleUnit } from './catalog.ts';
import { isDateWithin } from './dates.ts';
import type { Scheme } from './scheme.ts';

/** One step of the rule trace stored with every award, so a bureau can see why it went the way it did. */
export interface TraceStep {
  rule: string;
  ok: boolean;
  detail: string;
}

export type Eligibility =
  | { eligible: true; trace: TraceStep[] }
  | { eligible: false; reason: RejectReason; trace: TraceStep[] };

/**
 * The policy's eligibility rules, in the order the issue fixes; the first failure decides the reason.
 * `scheme` is the scheme named by the record's scheme_id, looked up by the caller (undefined when the
 * id is unknown or none was given).
 */
export function evaluateEligibility(record: AwardRecord, scheme: Scheme | undefined): Eligibility {
  const trace: TraceStep[] = [];
  const fail = (reason: RejectReason, detail: string): Eligibility => {
    trace.push({ rule: reason, ok: false, detail });
    return { eligible: false, reason, trace };
  };

  const measure = findMeasure(record.measure);
  if (measure === undefined) return fail('UNKNOWN_MEASURE', `measure ${record.measure} is not one of the policy's 27 measures`);
  trace.push({ rule: 'KNOWN_MEASURE', ok: true, detail: `measure ${measure.number} (section ${measure.section}): ${measure.titleZh}` });

  if (!isResponsibleUnit(measure.number, record.approving_unit)) {
    return fail('UNIT_NOT_RESPONSIBLE', `${record.approving_unit} is not a responsible unit of measure ${measure.number} (${measure.units.join(', ')})`);
  }
  trace.push({ rule: 'UNIT_RESPONSIBLE', ok: true, detail: `${record.approving_unit} is responsible for measure ${measure.number}` });

  let window: { from: string; to: string } = POLICY.defaultWindow;
  let windowName = `default window of ${POLICY.documentNumber}`;
  if (record.scheme_id !== undefined) {
    if (scheme === undefined) return fail('UNKNOWN_SCHEME', `scheme ${record.scheme_id} is not loaded`);
    if (!scheme.measures.includes(measure.number)) {
      return fail('SCHEME_NOT_FOR_MEASURE', `scheme ${scheme.scheme_id} covers measures ${scheme.measures.join(';')}, not ${measure.number}`);
    }
    // A special scheme's window replaces the default one wholly (附则), it does not narrow it.
    window = { from: scheme.valid_from, to: scheme.valid_to };
    windowName = `window of scheme ${scheme.scheme_id}`;
    trace.push({ rule: 'SCHEME', ok: true, detail: `scheme ${scheme.scheme_id} covers measure ${measure.number}` });
  }

  const span = `${window.from}..${window.to}`;
  if (!isDateWithin(record.qualifying_date, window.from, window.to)) {
    return fail('OUTSIDE_WINDOW', `qualifying_date ${record.qualifying_date} is outside ${span} (${windowName})`);
  }
  trace.push({ rule: 'IN_WINDOW', ok: true, detail: `qualifying_date ${record.qualifying_date} within ${span} (${windowName})` });
  return { eligible: true, trace };
}
