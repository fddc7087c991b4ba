import { ValidationError } from '../shared/domain/errors.ts';
import { parseYuan, parseYuanAllowZero } from '../shared/domain/money.ts';

/** Option parsers for commander: strict, with errors that name the option. */
export function intOption(name: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new ValidationError('BAD_OPTION', `${name} must be a whole number from ${min} to ${max}, got "${value}"`, { field: name });
    }
    return Number(value);
  };
}

export function yuanOption(name: string, { allowZero = false } = {}) {
  return (value: string): number => {
    const parsed = allowZero ? parseYuanAllowZero(value) : parseYuan(value);
    if (!parsed.ok) throw new ValidationError('BAD_AMOUNT', `${name}: ${parsed.message}`, { field: name });
    return parsed.fen;
  };
}

export function listOfInts(name: string) {
  return (value: string): number[] =>
    value.split(',').map((part) => intOption(name, 0, 1000)(part.trim()));
}
