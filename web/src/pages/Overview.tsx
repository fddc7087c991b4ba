/**
 * 预算总览: every measure the user may see, grouped by the policy's seven sections, with each
 * envelope's figures, a stacked bar marking its alert thresholds, section and grand totals, and a
 * chart of one envelope's commitments over the year.
 */
import { Suspense, useMemo, useState } from 'react';
import { Button, Spin, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { envelopesQuery, forecastsQuery } from '../api/queries.ts';
import type { Envelope } from '../api/types.ts';
import { NOT_THIS_YEAR } from '../../../shared/domain/forecast.ts';
import { useI18n, type T } from '../app/i18n.tsx';
import { useSession } from '../app/session.ts';
import { lazyStyled } from '../app/styles.ts';
import { useRoute, navigate, href } from '../app/router.ts';
import { Tag } from '../components/Tag.tsx';
import { SECTIONS, measureTitle, visibleMeasures } from '../app/catalog.ts';
import { ErrorBox, Money, PageTitle, useFiscalYears } from '../components/common.tsx';
import { basisPoints, formatFen, formatShare, sumFen } from '../format/money.ts';
import { currentShanghaiYear } from '../format/dates.ts';
import { showYearEnd, yearStatus, YEAR_END, YEAR_END_LABELS, type YearStatus } from './overview/year-end.ts';
import { overviewYearStatus } from './yearend/year-close.ts';
import { yearsQuery } from '../api/year-queries.ts';

// Loaded only when used, so the overview's first load carries neither ECharts nor the form code.
const CommitmentsChart = lazyStyled(() => import('./overview/CommitmentsChart.tsx'));
const BudgetModal = lazyStyled(() => import('./overview/BudgetModal.tsx'));
const TransferModal = lazyStyled(() => import('./overview/TransferModal.tsx'));

const FIELDS = [
  'budget_fen', 'reserved_fen', 'batched_fen', 'paid_fen', 'available_fen', 'waitlisted_fen', 'waitlisted_count',
  'returned_fen', 'held_fen', 'held_count', 'carried_in_fen', 'carried_out_fen', 'lapsed_fen', 'recovered_fen',
] as const;
type Figures = Pick<Envelope, (typeof FIELDS)[number]>;

interface Row extends Figures {
  key: string;
  kind: 'section' | 'measure' | 'total';
  measure?: number;
  label: string;
  envelope?: Envelope;
  children?: Row[];
}

const ZERO = Object.fromEntries(FIELDS.map((f) => [f, 0])) as Figures;
/** Committed money: reserved, batched, paid, and returned (failed payments are still committed). */
const committed = (r: Figures) => Number(sumFen([r.reserved_fen, r.batched_fen, r.paid_fen, r.returned_fen]));

function addUp(rows: Figures[]): Figures {
  const out = { ...ZERO };
  for (const f of FIELDS) out[f] = Number(sumFen(rows.map((r) => r[f])));
  return out;
}

/** A percentage of the budget as a CSS width (display only; the figures beside it are exact). */
function pct(part: number, whole: number): string {
  const bp = basisPoints(part, whole);
  return bp === null ? '0%' : `${Number(bp > 10000n ? 10000n : bp) / 100}%`;
}

/**
 * Burn rate and projected exhaustion of one measure: loading, unavailable, not forecast (no budget,
 * closed), or the figures. Each pair of cells reads its own measure out of the forecasts query, so the
 * forecast's arrival re-renders these cells and not the whole table.
 */
function ForecastCells({ fy, enabled, measure, t }: { fy: number; enabled: boolean; measure: number; t: T }) {
  const { data: forecast, status: state } = useQuery({ ...forecastsQuery(fy), enabled, select: (d) => d.forecasts.find((f) => f.measure === measure) ?? null });
  if (state !== 'success') {
    const text = t(state === 'pending' ? 'forecastLoading' : 'forecastUnavailable');
    return <><td aria-busy={state === 'pending'}><span className="sr-only">{text}</span><span aria-hidden="true">…</span></td><td aria-busy={state === 'pending'}><span aria-hidden="true">…</span></td></>;
  }
  if (!forecast) return <><td>—</td><td data-testid={`forecast-${measure}`} data-date="">—</td></>;
  const date = forecast.forecast_exhaustion_date;
  return (
    <>
      <td title={t('burnRateHint', { rate: formatFen(forecast.burn_rate_fen_per_day), yearRate: formatFen(forecast.burn_rate_year_fen_per_day) })}>
        <Money fen={forecast.burn_rate_fen_per_day} testId={`burn-rate-${measure}`} />
      </td>
      <td data-testid={`forecast-${measure}`} data-date={date}>
        {date === NOT_THIS_YEAR ? <Typography.Text type="secondary">{t('notThisYear')}</Typography.Text> : <span className="num">{date}</span>}
      </td>
    </>
  );
}

function EnvelopeBar({ row, t }: { row: Row; t: T }) {
  const e = row.envelope;
  if (!e || !e.budget_set || e.budget_fen === 0) return <Typography.Text type="secondary">{t('noBudget')}</Typography.Text>;
  const label = t('barLabel', {
    n: e.measure, paid: formatFen(e.paid_fen), batched: formatFen(e.batched_fen), reserved: formatFen(e.reserved_fen),
    available: formatFen(e.available_fen), thresholds: e.alert_at.map((a) => `${a}%`).join(' '),
  });
  return (
    <div className="envelope-bar" role="img" aria-label={label} title={label}>
      <span className="paid" style={{ width: pct(e.paid_fen, e.budget_fen) }} />
      <span className="batched" style={{ width: pct(e.batched_fen, e.budget_fen) }} />
      <span className="reserved" style={{ width: pct(e.reserved_fen, e.budget_fen) }} />
      {e.alert_at.map((a) => <span key={a} className="tick" style={{ left: `calc(${Math.min(a, 100)}% - 1px)` }} />)}
    </div>
  );
}

/** The fiscal-year picker: its list of years (every envelope's) re-renders only the picker when it arrives. */
function YearPicker({ fy, onChange }: { fy: number; onChange: (fy: number) => void }) {
  const { t } = useI18n();
  const years = useFiscalYears();
  if (!years.includes(fy)) years.push(fy);
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: 8 }}>
      <label htmlFor="overview-fy">{t('fiscalYear')}</label>
      <select id="overview-fy" className="native-select" value={fy} onChange={(e) => onChange(Number(e.target.value))}>
        {years.map((y) => <option key={y} value={y}>{t('fyLabel', { year: y })}</option>)}
      </select>
    </span>
  );
}

/** The year's badge: from the envelopes, and a proposed close from GET /years (asked for after the figures). */
function YearBadge({ fromEnvelopes, fy, enabled }: { fromEnvelopes: YearStatus | null; fy: number; enabled: boolean }) {
  const { t } = useI18n();
  const yearRows = useQuery({ ...yearsQuery, enabled });
  const status = overviewYearStatus(fromEnvelopes, yearRows.data?.years, fy);
  if (!status) return null;
  return <> <span data-testid="year-status" data-status={status}><Tag color={status === 'yearOpen' ? 'green' : status === 'yearProposed' ? 'blue' : 'gold'}>{t(status)}</Tag></span></>;
}

/** Marks (for tests and the bench) that the forecasts have arrived. */
function ForecastReady({ fy, enabled }: { fy: number; enabled: boolean }) {
  const forecasts = useQuery({ ...forecastsQuery(fy), enabled });
  return forecasts.isSuccess && !forecasts.isFetching ? <span data-testid="forecast-ready" hidden /> : null;
}

export default function Overview() {
  const { t, lang } = useI18n();
  const { me, can, bureauOnly } = useSession();
  const route = useRoute();
  const fy = Number(route.params.get('fy')) || currentShanghaiYear();
  const chartMeasure = Number(route.params.get('chart')) || null;
  const [editing, setEditing] = useState<{ measure: number; envelope?: Envelope } | null>(null);
  const [transferring, setTransferring] = useState(false);
  const envelopes = useQuery(envelopesQuery(fy));
  // The forecast (ForecastCells) and the years' close status (YearBadge) only after the figures, never
  // before them: the forecast reads every committed award of each envelope.
  const afterFigures = envelopes.isSuccess;

  const measures = visibleMeasures(me.unit, bureauOnly);
  const { sections, total } = useMemo(() => {
    const byMeasure = new Map((envelopes.data?.envelopes ?? []).filter((e) => e.fiscal_year === fy).map((e) => [e.measure, e]));
    const out: Row[] = [];
    for (const s of SECTIONS) {
      const members = measures.filter((m) => m.section === s.numeral);
      if (members.length === 0) continue;
      const children: Row[] = members.map((m) => {
        const e = byMeasure.get(m.number);
        const figures: Figures = e ? { ...ZERO, ...Object.fromEntries(FIELDS.map((f) => [f, e[f] ?? 0])) } : ZERO;
        return { key: `m${m.number}`, kind: 'measure', measure: m.number, label: `${m.number}. ${measureTitle(m, lang)}`, ...figures, ...(e ? { envelope: e } : {}) };
      });
      out.push({ key: `s${s.numeral}`, kind: 'section', label: `${s.numeral}、${lang === 'en' ? s.titleEn : s.titleZh}`, ...addUp(children), children });
    }
    return { sections: out, total: addUp(out) };
  }, [envelopes.data, fy, measures, lang]);

  const budgeted = sections.flatMap((s) => s.children ?? []).filter((r) => r.envelope?.budget_set);
  const envelopeStatus = yearStatus(envelopes.data?.envelopes ?? [], fy);
  const yearEnd = showYearEnd(envelopes.data?.envelopes ?? [], fy);
  const go = (params: { fy?: number; chart?: number | null }) => navigate('/', { fy: params.fy ?? fy, chart: params.chart === undefined ? chartMeasure : params.chart });
  const id = (row: Row) => row.measure ?? row.key;
  const cells = (row: Row, testIds: boolean) => (
    <>
      {(['budget_fen', 'reserved_fen', 'batched_fen', 'paid_fen', 'available_fen'] as const).map((f) => (
        <td key={f}><Money fen={row[f]} {...(testIds ? { testId: `${f}-${id(row)}` } : {})} /></td>
      ))}
      <td><Money fen={row.waitlisted_fen} {...(testIds ? { testId: `waiting-${id(row)}` } : {})} />
        {row.waitlisted_count > 0 && <Typography.Text type="secondary"> ({row.waitlisted_count})</Typography.Text>}</td>
      <td data-testid={testIds ? `held-${id(row)}` : undefined} data-count={row.held_count}>
        {row.held_count > 0
          ? <a href={href('/holds', { fiscal_year: fy })} title={t('heldKept')}><span className="num">{row.held_count}</span></a>
          : <span className="num">0</span>}
        {row.held_fen > 0 && <Typography.Text type="secondary"> (<Money fen={row.held_fen} />)</Typography.Text>}
      </td>
      <td><Money fen={row.returned_fen} {...(testIds ? { testId: `returned_fen-${id(row)}` } : {})} /></td>
      {yearEnd && YEAR_END.map((f) => <td key={f}><Money fen={row[f]} {...(testIds ? { testId: `${f}-${id(row)}` } : {})} /></td>)}
      <td className="num">{formatShare(committed(row), row.budget_fen)}</td>
    </>
  );

  return (
    <>
      <PageTitle extra={<>
        <YearPicker fy={fy} onChange={(y) => go({ fy: y, chart: null })} />
        {can.setBudget && envelopeStatus !== 'yearClosed' && budgeted.length > 1 && (
          <Button onClick={() => setTransferring(true)}>{t('transferBudget')}</Button>
        )}
      </>}>{t('nav_overview')}<YearBadge fromEnvelopes={envelopeStatus} fy={fy} enabled={afterFigures} /></PageTitle>
      {bureauOnly && <Typography.Paragraph type="secondary">{t('bureauScope')}</Typography.Paragraph>}
      <ErrorBox error={envelopes.error} />
      <div className="legend" aria-hidden="true" style={{ marginBottom: 8 }}>
        <span><i className="paid" />{t('paid')}</span><span><i className="batched" />{t('batched')}</span>
        <span><i className="reserved" />{t('reserved')}</span><span><i className="available" />{t('available')}</span><span><i className="tick" />{t('thresholds')}</span>
      </div>
      <div className="table-scroll">
        <table className="figures" data-testid="overview-table" aria-busy={envelopes.isPending}>
          <caption className="sr-only">{t('overviewFigures')} {t('fyLabel', { year: fy })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('measure')}</th><th scope="col">{t('budget')}</th><th scope="col">{t('reserved')}</th><th scope="col">{t('batched')}</th>
              <th scope="col">{t('paid')}</th><th scope="col">{t('available')}</th><th scope="col">{t('waiting')}</th>
              <th scope="col">{t('heldCount')}</th><th scope="col"><abbr title={t('returned')}>{t('returnedShort')}</abbr></th>
              {yearEnd && YEAR_END.map((f) => <th scope="col" key={f}>{t(YEAR_END_LABELS[f])}</th>)}
              <th scope="col">{t('executionRate')}</th>
              <th scope="col">{t('burnRate')}</th><th scope="col">{t('forecastExhaustion')}</th>
              <th scope="col" className="bar">{t('paid')}/{t('batched')}/{t('reserved')}</th>
              {can.setBudget && <th scope="col"><span className="sr-only">{t('actions')}</span></th>}
            </tr>
          </thead>
          <tbody>
            {sections.map((s) => [
              <tr key={s.key} className="section"><td>{s.label}</td>{cells(s, false)}<td /><td /><td />{can.setBudget && <td />}</tr>,
              ...(s.children ?? []).map((row) => (
                <tr key={row.key} className="measure" data-measure={row.measure}>
                  <td>{row.envelope?.budget_set
                    ? <a href={`#/?fy=${fy}&chart=${row.measure}`} title={t('commitments')}>{row.label}</a>
                    : row.label}</td>
                  {cells(row, true)}
                  <ForecastCells fy={fy} enabled={afterFigures} measure={row.measure!} t={t} />
                  <td className="bar"><EnvelopeBar row={row} t={t} /></td>
                  {can.setBudget && <td><Button size="small" onClick={() => setEditing({ measure: row.measure!, ...(row.envelope ? { envelope: row.envelope } : {}) })}
                    aria-label={`${t('setBudget')} ${t('measureN', { n: row.measure! })}`}>{t('setBudget')}</Button></td>}
                </tr>
              )),
            ])}
            <tr className="total"><td>{t('grandTotal')}</td>
              {(['budget_fen', 'reserved_fen', 'batched_fen', 'paid_fen', 'available_fen', 'waitlisted_fen'] as const).map((f) => (
                <td key={f}><Money fen={total[f]} testId={`total-${f}`} /></td>
              ))}
              <td className="num" data-testid="total-held_count">{total.held_count}</td>
              <td><Money fen={total.returned_fen} testId="total-returned_fen" /></td>
              {yearEnd && YEAR_END.map((f) => <td key={f}><Money fen={total[f]} testId={`total-${f}`} /></td>)}
              <td className="num">{formatShare(committed(total), total.budget_fen)}</td><td /><td /><td />{can.setBudget && <td />}
            </tr>
          </tbody>
        </table>
      </div>
      {envelopes.isSuccess && !envelopes.isFetching && <span data-testid="overview-ready" hidden />}
      <ForecastReady fy={fy} enabled={afterFigures} />
      {budgeted.length > 0 && (
        <section className="panel" aria-labelledby="commitments-title">
          <h2 id="commitments-title">{t('commitments')}</h2>
          <span style={{ display: 'inline-flex', alignItems: 'center', gap: 8 }}>
            <label htmlFor="commitments-envelope">{t('chooseEnvelope')}</label>
            <select id="commitments-envelope" className="native-select" value={chartMeasure ?? ''} onChange={(e) => go({ chart: Number(e.target.value) || null })}>
              <option value="">—</option>
              {budgeted.map((r) => <option key={r.key} value={r.measure}>{r.label}</option>)}
            </select>
          </span>
          {chartMeasure && budgeted.some((r) => r.measure === chartMeasure) && (
            <Suspense fallback={<Spin />}>
              <CommitmentsChart fy={fy} envelope={budgeted.find((r) => r.measure === chartMeasure)!.envelope!} />
            </Suspense>
          )}
        </section>
      )}
      {transferring && <Suspense fallback={null}>
        <TransferModal fy={fy} envelopes={budgeted.map((r) => r.envelope!)} labelOf={(m) => budgeted.find((r) => r.measure === m)?.label ?? String(m)} onClose={() => setTransferring(false)} />
      </Suspense>}
      {editing && <Suspense fallback={null}><BudgetModal fy={fy} measure={editing.measure} envelope={editing.envelope} onClose={() => setEditing(null)} /></Suspense>}
    </>
  );
}
