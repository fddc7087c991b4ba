import { maskAccount, type Award } from '../../shared/domain/award.ts';
import type { Envelope } from '../../shared/domain/envelope.ts';
import { formatYuanGrouped } from '../../shared/domain/money.ts';
import { table } from '../output.ts';

/** The envelope as the CLI reports it (figures in integer fen). */
export function envelopeView(e: Envelope) {
  return {
    measure: e.measure,
    fiscal_year: e.fiscal_year,
    budget_set: e.budget_set,
    budget_fen: e.budget_fen,
    reserved_fen: e.reserved_fen,
    batched_fen: e.batched_fen,
    paid_fen: e.paid_fen,
    returned_fen: e.returned_fen,
    available_fen: e.available_fen,
    waitlisted_fen: e.waitlisted_fen,
    waitlisted_count: e.waitlisted_count,
    held_fen: e.held_fen,
    held_count: e.held_count,
    ...(e.enterprise_cap_fen !== undefined ? { enterprise_cap_fen: e.enterprise_cap_fen } : {}),
    alert_at: e.alert_at,
    // year end (issue 15)
    status: e.status,
    carried_in_fen: e.carried_in_fen,
    carried_out_fen: e.carried_out_fen,
    lapsed_fen: e.lapsed_fen,
    recovered_fen: e.recovered_fen,
  };
}

export function envelopesTable(envelopes: Envelope[]): string {
  if (envelopes.length === 0) return 'No envelopes.';
  const y = formatYuanGrouped;
  return table(
    ['FY', 'measure', 'budget', 'reserved', 'batched', 'paid', 'available', 'waiting', 'waiting #', 'held', 'held #'],
    envelopes.map((e) => [e.fiscal_year, e.measure, e.budget_set ? y(e.budget_fen) : '(none)', y(e.reserved_fen), y(e.batched_fen), y(e.paid_fen), y(e.available_fen), y(e.waitlisted_fen), e.waitlisted_count, y(e.held_fen), e.held_count]),
  );
}

/** An award for display: the payee account is masked unless the caller explicitly asks for it. */
export function awardView(award: Award, { showAccount = false } = {}) {
  const { content_hash: _hash, ...rest } = award;
  return { ...rest, payee_account: showAccount ? award.payee_account : maskAccount(award.payee_account) };
}
