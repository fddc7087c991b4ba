import { Select } from 'antd';
import { useI18n } from '../app/i18n.tsx';
import { useFiscalYears } from './common.tsx';

/** The fiscal-year picker of the pages other than the overview (antd Select, on demand with those pages). */
export function FiscalYearSelect({ value, onChange, id = 'fiscal-year' }: { value: number; onChange: (fy: number) => void; id?: string }) {
  const { t } = useI18n();
  const years = useFiscalYears();
  if (!years.includes(value)) years.push(value);
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: 8 }}>
      <label htmlFor={id}>{t('fiscalYear')}</label>
      <Select id={id} value={value} onChange={onChange} style={{ width: 120 }} options={years.map((y) => ({ value: y, label: t('fyLabel', { year: y }) }))} />
    </span>
  );
}
