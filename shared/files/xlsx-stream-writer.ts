import type { Writable } from 'node:stream';
import { Zip, ZipDeflate } from 'fflate';

/**
 * A small streaming XLSX (SpreadsheetML) writer: fflate's streaming Zip/ZipDeflate for the
 * container, the minimal parts written here. Rows go through DEFLATE into the output as they are
 * added (gathered 64 KB at a time) — a sheet is never held in memory — and the caller waits on
 * `drained()` to respect the output stream's backpressure.
 *
 * What it writes, and nothing more:
 * - text cells as inline strings (`t="inlineStr"`) and numbers as numeric cells; never a formula,
 *   a shared string or a date;
 * - four cell styles: bold (headers), amount (`#,##0.00`), percent (`0.00%`) and text (`@`);
 * - column widths and text (`@`) columns; one worksheet per `addSheet`, in order, only one open at a time.
 *
 * Text is made safe for XML 1.0: characters XML cannot carry (C0 controls other than tab, LF and
 * CR; U+FFFE, U+FFFF; unpaired surrogates) are dropped, `& < > " '` are escaped, CR is written as a
 * character reference (an XML parser would turn a literal one into LF), and an `_xHHHH_` sequence,
 * which spreadsheets read as an escaped character, has its underscore escaped so it reads back
 * as written. Formula neutralising is the caller's business (spreadsheet-safety.ts); as inline
 * strings, text cells are never evaluated anyway.
 *
 * The writer never ends the output stream: `finish()` resolves once the whole zip has been handed
 * to it (and it has drained), and its owner ends it.
 */

export type CellValue = string | number | null | undefined;
export type CellStyle = 'bold' | 'amount' | 'percent' | 'text';
export interface StyledCell {
  readonly value: CellValue;
  readonly style: CellStyle;
}
export type Cell = CellValue | StyledCell;

export interface XlsxWriterOptions {
  /** docProps/core.xml's creator. */
  readonly creator?: string;
  /** Created/modified time in docProps and every zip entry's timestamp (local time, as zip has it);
   *  fixing it makes the same content give the same bytes. Defaults to now. */
  readonly created?: Date;
  /** DEFLATE level, 0–9 (default 6). */
  readonly level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
}

export interface SheetOptions {
  /** Column widths in characters, from column A. */
  readonly columns?: readonly (number | undefined)[];
  /**
   * Columns (0-based) whose default format is text (`@`), so that a value typed or pasted into them
   * later stays text too: a 19-digit account or a digits-only id would otherwise become a number
   * and lose digits.
   */
  readonly textColumns?: readonly number[];
}

/** Excel's limits: rows and columns per sheet, characters per cell, characters in a sheet name. */
export const MAX_ROWS = 1_048_576;
export const MAX_COLUMNS = 16_384;
export const MAX_CELL_TEXT = 32_767;
export const MAX_SHEET_NAME = 31;

/** Bytes of sheet XML gathered before they are pushed through DEFLATE (and on to the output). */
const FLUSH_AT = 64 * 1024;

const STYLE_INDEX: Record<CellStyle, number> = { bold: 1, amount: 2, text: 3, percent: 4 };

const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

// With the u flag, [\uD800-\uDFFF] matches only surrogates that are not part of a pair.
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/gu;
const XML_SPECIAL = /[&<>"'\r]/g;
const XML_ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };
const OOXML_ESCAPE_LOOKALIKE = /_(?=x[0-9A-Fa-f]{4}_)/g;
/** Text whose whitespace a reader may collapse or trim unless told to preserve it. */
const EDGE_OR_BREAK_SPACE = /^\s|\s$|[\t\n\r]/;
const SHEET_NAME_FORBIDDEN = /[[\]:*?/\\]/g;
const CONTROL = /[\u0000-\u001F\u007F]/g;

/** Drops the characters XML 1.0 cannot carry. */
export function stripXmlIllegal(text: string): string {
  return text.replace(XML_ILLEGAL, '');
}

/** Text as XML character data or an attribute value (quotes escaped too, so it serves both). */
export function escapeXml(text: string): string {
  return stripXmlIllegal(text).replace(XML_SPECIAL, (c) => XML_ENTITY[c]!);
}

/** Text for a `<t>` element: XML-escaped, and `_xHHHH_` lookalikes kept literal (`_x005F_` is '_'). */
export function escapeCellText(text: string): string {
  return escapeXml(text).replace(OOXML_ESCAPE_LOOKALIKE, '_x005F_');
}

/**
 * A valid, unique sheet name close to `wanted`: control characters and what XML cannot carry dropped, `[]:*?/\`
 * replaced by '_', no leading or trailing apostrophe, at most 31 characters (never splitting a
 * surrogate pair), not empty, not Excel's reserved 'History', and unique ignoring case — a clash gets
 * ' (2)', ' (3)', … within the 31 characters.
 */
export function sheetName(wanted: string, taken: Iterable<string> = []): string {
  let base = stripXmlIllegal(wanted).replace(CONTROL, '').replace(SHEET_NAME_FORBIDDEN, '_').replace(/^'+|'+$/g, '');
  base = truncate(base, MAX_SHEET_NAME).replace(/'+$/, '');
  if (base === '') base = 'Sheet';
  if (base.toLowerCase() === 'history') base = `${base}_`;
  const used = new Set([...taken].map((n) => n.toLowerCase()));
  let name = base;
  for (let n = 2; used.has(name.toLowerCase()); n++) {
    const suffix = ` (${n})`;
    name = truncate(base, MAX_SHEET_NAME - suffix.length) + suffix;
  }
  return name;
}

/** At most `max` UTF-16 units, cut between whole code points. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > max) break;
    out += ch;
  }
  return out;
}

/** 0 → 'A', 25 → 'Z', 26 → 'AA', … */
export function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

const COLUMN_NAMES: string[] = [];
function columnRef(index: number): string {
  return (COLUMN_NAMES[index] ??= columnName(index));
}

/** One worksheet being written; get it from `XlsxStreamWriter.addSheet`. */
export class XlsxSheet {
  private buffer = '';
  private rowCount = 0;
  private ended = false;

  /** @internal */
  constructor(
    readonly name: string,
    private readonly file: ZipDeflate,
    private readonly onEnd: () => void,
    first: boolean,
    options: SheetOptions,
  ) {
    let head = `${XML_DECL}<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">`;
    head += `<sheetViews><sheetView workbookViewId="0"${first ? ' tabSelected="1"' : ''}/></sheetViews>`;
    head += '<sheetFormatPr defaultRowHeight="15"/>';
    const widths = options.columns ?? [];
    const text = new Set(options.textColumns ?? []);
    let cols = '';
    for (let i = 0; i < Math.max(widths.length, ...[...text].map((c) => c + 1)); i++) {
      const width = widths[i];
      const attrs = (width === undefined ? '' : ` width="${checkWidth(width)}" customWidth="1"`) + (text.has(i) ? ` style="${STYLE_INDEX.text}"` : '');
      if (attrs) cols += `<col min="${i + 1}" max="${i + 1}"${attrs}/>`;
    }
    if (cols) head += `<cols>${cols}</cols>`;
    this.buffer = `${head}<sheetData>`;
  }

  /** Rows written so far. */
  get rows(): number {
    return this.rowCount;
  }

  /**
   * Appends a row. null, undefined and '' leave the cell blank (no cell written); an empty array is a
   * blank row.
   * `style` applies to every cell that brings no style of its own.
   */
  addRow(cells: readonly Cell[], style?: CellStyle): void {
    if (this.ended) throw new Error(`sheet ${JSON.stringify(this.name)} is already ended`);
    if (this.rowCount >= MAX_ROWS) throw new RangeError(`sheet ${JSON.stringify(this.name)} is full (${MAX_ROWS} rows)`);
    if (cells.length > MAX_COLUMNS) throw new RangeError(`a row has ${cells.length} cells; a sheet has ${MAX_COLUMNS} columns`);
    const r = ++this.rowCount;
    let xml = `<row r="${r}">`;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i];
      const styled = cell !== null && typeof cell === 'object';
      const value = styled ? cell.value : cell;
      if (value === null || value === undefined || value === '') continue;
      const cellStyle = styled ? cell.style : style;
      const s = cellStyle ? ` s="${STYLE_INDEX[cellStyle]}"` : '';
      const ref = `${columnRef(i)}${r}`;
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) throw new RangeError(`cell ${ref} of ${JSON.stringify(this.name)}: ${value} is not a finite number`);
        xml += `<c r="${ref}"${s}><v>${value}</v></c>`;
      } else {
        if (value.length > MAX_CELL_TEXT) throw new RangeError(`cell ${ref} of ${JSON.stringify(this.name)}: ${value.length} characters, a cell holds ${MAX_CELL_TEXT}`);
        const space = EDGE_OR_BREAK_SPACE.test(value) ? ' xml:space="preserve"' : '';
        xml += `<c r="${ref}"${s} t="inlineStr"><is><t${space}>${escapeCellText(value)}</t></is></c>`;
      }
    }
    this.buffer += `${xml}</row>`;
    if (this.buffer.length >= FLUSH_AT) this.flush(false);
  }

  /** Closes the sheet; the writer then takes the next one. */
  end(): void {
    if (this.ended) return;
    this.buffer += '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>';
    this.flush(true);
    this.ended = true;
    this.onEnd();
  }

  private flush(final: boolean): void {
    const chunk = Buffer.from(this.buffer, 'utf8');
    this.buffer = '';
    this.file.push(chunk, final);
  }
}

function checkWidth(width: number): number {
  if (!Number.isFinite(width) || width < 0 || width > 255) throw new RangeError(`column width ${width} is not within 0–255`);
  return width;
}

/** A workbook streamed into `out` (see the module comment). */
export class XlsxStreamWriter {
  private readonly zip: Zip;
  private readonly sheets: { name: string; part: string }[] = [];
  private current: XlsxSheet | undefined;
  private failure: Error | undefined;
  private finished = false;
  private readonly created: Date;
  private readonly creator: string;
  private readonly level: NonNullable<XlsxWriterOptions['level']>;

  constructor(private readonly out: Writable, options: XlsxWriterOptions = {}) {
    this.created = options.created ?? new Date();
    this.creator = options.creator ?? '';
    this.level = options.level ?? 6;
    this.zip = new Zip((error, chunk) => {
      if (error) {
        this.failure ??= error;
        return;
      }
      if (!out.destroyed) out.write(chunk);
    });
    this.writePart('xl/styles.xml', STYLES_XML);
  }

  /** Starts the next worksheet; the one before must have been ended. The name is made valid and unique. */
  addSheet(wantedName: string, options: SheetOptions = {}): XlsxSheet {
    this.check();
    if (this.finished) throw new Error('the workbook is finished');
    if (this.current) throw new Error(`end sheet ${JSON.stringify(this.current.name)} before adding another`);
    const name = sheetName(wantedName, this.sheets.map((s) => s.name));
    const part = `xl/worksheets/sheet${this.sheets.length + 1}.xml`;
    const file = this.entry(part);
    const sheet = new XlsxSheet(name, file, () => { this.current = undefined; }, this.sheets.length === 0, options);
    this.sheets.push({ name, part });
    this.current = sheet;
    return sheet;
  }

  /**
   * Resolves when the output can take more (at once unless its buffer is full). Call it between
   * rows, as with `Writable.write`: the rows since the last call are already in the output's buffer.
   */
  async drained(): Promise<void> {
    this.check();
    if (this.out.writableNeedDrain) await waitForDrain(this.out);
    this.check();
  }

  /** Ends the open sheet if any, writes the workbook parts and the zip directory, and waits for the output to drain. */
  async finish(): Promise<void> {
    this.check();
    if (this.finished) return;
    this.current?.end();
    if (this.sheets.length === 0) throw new Error('a workbook needs at least one sheet');
    this.finished = true;
    this.writePart('xl/workbook.xml', this.workbookXml());
    this.writePart('xl/_rels/workbook.xml.rels', this.workbookRelsXml());
    this.writePart('docProps/core.xml', this.coreXml());
    this.writePart('docProps/app.xml', APP_XML);
    this.writePart('_rels/.rels', ROOT_RELS_XML);
    this.writePart('[Content_Types].xml', this.contentTypesXml());
    this.zip.end();
    await this.drained();
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.out.destroyed) throw new Error('the output stream was closed');
  }

  private entry(name: string): ZipDeflate {
    const file = new ZipDeflate(name, { level: this.level });
    file.mtime = this.created;
    this.zip.add(file);
    return file;
  }

  private writePart(name: string, xml: string): void {
    this.entry(name).push(Buffer.from(xml, 'utf8'), true);
    this.check();
  }

  private workbookXml(): string {
    const sheets = this.sheets
      .map((s, i) => `<sheet name="${escapeXml(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
      .join('');
    return `${XML_DECL}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><bookViews><workbookView activeTab="0"/></bookViews><sheets>${sheets}</sheets></workbook>`;
  }

  private workbookRelsXml(): string {
    const rels = this.sheets.map((s, i) => rel(`rId${i + 1}`, `${NS_REL}/worksheet`, s.part.slice('xl/'.length)));
    rels.push(rel(`rId${this.sheets.length + 1}`, `${NS_REL}/styles`, 'styles.xml'));
    return `${XML_DECL}<Relationships xmlns="${NS_PKG_REL}">${rels.join('')}</Relationships>`;
  }

  private coreXml(): string {
    const at = `${this.created.toISOString().slice(0, 19)}Z`;
    return `${XML_DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`
      + `<dc:creator>${escapeXml(this.creator)}</dc:creator>`
      + `<dcterms:created xsi:type="dcterms:W3CDTF">${at}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${at}</dcterms:modified>`
      + '</cp:coreProperties>';
  }

  private contentTypesXml(): string {
    const override = (part: string, type: string) => `<Override PartName="/${part}" ContentType="${type}"/>`;
    const sml = 'application/vnd.openxmlformats-officedocument.spreadsheetml';
    return `${XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`
      + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      + '<Default Extension="xml" ContentType="application/xml"/>'
      + override('xl/workbook.xml', `${sml}.sheet.main+xml`)
      + this.sheets.map((s) => override(s.part, `${sml}.worksheet+xml`)).join('')
      + override('xl/styles.xml', `${sml}.styles+xml`)
      + override('docProps/core.xml', 'application/vnd.openxmlformats-package.core-properties+xml')
      + override('docProps/app.xml', 'application/vnd.openxmlformats-officedocument.extended-properties+xml')
      + '</Types>';
  }
}

function rel(id: string, type: string, target: string): string {
  return `<Relationship Id="${id}" Type="${type}" Target="${target}"/>`;
}

/** Resolves on 'drain'; rejects if the stream errors or closes first. */
function waitForDrain(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onDrain = () => { cleanup(); resolve(); };
    const onError = (error: Error) => { cleanup(); reject(error); };
    const onClose = () => { cleanup(); reject(new Error('the output stream closed before it drained')); };
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

const ROOT_RELS_XML = `${XML_DECL}<Relationships xmlns="${NS_PKG_REL}">`
  + rel('rId1', `${NS_REL}/officeDocument`, 'xl/workbook.xml')
  + rel('rId2', `${NS_PKG_REL}/metadata/core-properties`, 'docProps/core.xml')
  + rel('rId3', `${NS_REL}/extended-properties`, 'docProps/app.xml')
  + '</Relationships>';

const APP_XML = `${XML_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>Bursar</Application></Properties>`;

/**
 * Styles: font 0 regular, font 1 bold. cellXfs (the `s` of a cell): 0 default, 1 bold, 2 amount
 * (built-in number format 4, `#,##0.00`), 3 text (49, `@`), 4 percent (10, `0.00%`). Built-in
 * formats need no <numFmts> entry and every reader knows them.
 */
const STYLES_XML = `${XML_DECL}<styleSheet xmlns="${NS_MAIN}">`
  + '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
  + '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
  + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
  + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
  + '<cellXfs count="5">'
  + '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
  + '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
  + '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
  + '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
  + '<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
  + '</cellXfs>'
  + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
  + '</styleSheet>';
