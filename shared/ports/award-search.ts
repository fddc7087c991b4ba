import type { Award, AwardStatus } from '../domain/award.ts';
import type { UnitCode } from '../domain/units.ts';

export interface AwardSearchQuery {
  status?: AwardStatus;
  measure?: number;
  fiscal_year?: number;
  /** Only awards approved by this unit (a bureau user's own, or a filter). */
  unit?: UnitCode;
  /** An award id, a credit code (exactly), or the start of a recipient name. */
  q?: string;
  limit: number;
  /** Opaque, from the previous page's `next_cursor`. */
  cursor?: string;
}

export interface AwardPage {
  awards: Award[];
  /** null when nothing follows; a page may hold fewer than `limit` awards and still have a cursor. */
  next_cursor: string | null;
}

/** Paged award listing for the API (GET /api/v1/awards). */
export interface AwardSearch {
  search(query: AwardSearchQuery): Promise<AwardPage>;
}
