import { BursarError } from './errors.ts';
import { envelopeLabel, type EnvelopeKey } from './envelope.ts';

/** The refusal for anything that would change an envelope of a closed fiscal year. */
export function fiscalYearClosed(e: EnvelopeKey): BursarError {
  return new BursarError('FISCAL_YEAR_CLOSED', `${envelopeLabel(e)}: fiscal year ${e.fiscal_year} is closed`, { measure: e.measure, fiscal_year: e.fiscal_year });
}
