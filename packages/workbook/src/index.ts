import { IncomingCatalogueSchema, periodsOf, withMaterialIds, type Catalogue, type HallWindow, type Material } from '@servicehall/core';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';

/**
 * The catalogue as an Excel workbook: what halls keep their item lists in, and what the provincial
 * item library exports to. One sheet per part, Chinese headers, one row per thing; lists inside a
 * cell are one per line.
 */

export const SHEETS = { hall: '大厅', departments: '部门', items: '事项', windows: '窗口', clerks: '工作人员', notes: '说明' } as const;

const HALL_ROWS = [
  ['name', '大厅名称'],
  ['nameEn', '英文名称'],
  ['timeZone', '时区'],
  ['publicUrl', '公共访问地址'],
  ['complaintPhone', '投诉电话'],
  ['complaintWindow', '投诉窗口'],
  ['notices', '公告'],
] as const;

const DEPARTMENT_COLUMNS = [
  ['name', '部门名称'],
  ['nameEn', '英文名称'],
] as const;

const ITEM_COLUMNS = [
  ['code', '事项编码'],
  ['name', '事项名称'],
  ['nameEn', '英文名称'],
  ['department', '所属部门'],
  ['prefix', '号码前缀'],
  ['dailyQuota', '每日限额'],
  ['issuingHours', '取号时段'],
  ['conditions', '受理条件'],
  ['materials', '申请材料'],
  ['steps', '办理流程'],
  ['fees', '收费标准'],
  ['legalLimitDays', '法定办结时限（工作日）'],
  ['promisedLimitDays', '承诺办结时限（工作日）'],
  ['typicalServiceMinutes', '平均办理时长（分钟）'],
  ['onlineUrl', '网上办理地址'],
] as const;

const WINDOW_COLUMNS = [
  ['number', '窗口号'],
  ['name', '窗口名称'],
  ['department', '所属部门'],
  ['serves', '办理事项编码'],
  ['devices', '设备'],
] as const;

const CLERK_COLUMNS = [
  ['number', '工号'],
  ['name', '姓名'],
  ['department', '所属部门'],
  ['title', '职务'],
] as const;

const FORMS: Record<Material['form'], string> = { original: '原件', copy: '复印件', 'original-and-copy': '原件及复印件', electronic: '电子版' };
const DEVICES: Record<NonNullable<HallWindow['devices']>[number], string> = {
  'window-terminal': '窗口终端',
  'number-display': '窗口屏',
  'rating-pad': '评价器',
  'rating-keypad': '评价按键',
  'receipt-printer': '凭条打印机',
};

const lines = (list: readonly string[] | undefined) => (list ?? []).join('\n');
const splitLines = (text: string) =>
  text
    .split(/\r?\n|；|;/)
    .map((s) => s.trim())
    .filter(Boolean);

const materialText = (m: Material) => [m.name, FORMS[m.form], String(m.count), m.note ?? ''].join('|').replace(/\|$/, '');

function styleHeader(sheet: ExcelJS.Worksheet): void {
  const row = sheet.getRow(1);
  row.font = { bold: true };
  row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDCE6F2' } };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
}

function table(book: ExcelJS.Workbook, name: string, columns: readonly (readonly [string, string])[], rows: Record<string, unknown>[], widths: number[] = []): void {
  const sheet = book.addWorksheet(name);
  sheet.columns = columns.map(([key, header], i) => ({ key, header, width: widths[i] ?? Math.max(12, header.length * 2 + 4) }));
  for (const r of rows) sheet.addRow(r);
  for (let i = 2; i <= sheet.rowCount; i++) sheet.getRow(i).alignment = { wrapText: true, vertical: 'top' };
  styleHeader(sheet);
}

function build(catalogue: Catalogue | undefined, example: boolean): ExcelJS.Workbook {
  const book = new ExcelJS.Workbook();
  book.creator = 'ServiceHall';
  const c = catalogue;
  const hall = book.addWorksheet(SHEETS.hall);
  hall.columns = [
    { key: 'field', header: '项目', width: 16 },
    { key: 'value', header: '内容', width: 60 },
  ];
  const h = c?.hall;
  const hallValues: Record<string, string> = {
    name: h?.name ?? (example ? '某某区政务服务中心' : ''),
    nameEn: h?.nameEn ?? '',
    timeZone: h?.timeZone ?? 'Asia/Shanghai',
    publicUrl: h?.publicUrl ?? '',
    complaintPhone: h?.complaintPhone ?? '12345',
    complaintWindow: h?.complaintWindow ?? '',
    notices: lines(h?.notices),
  };
  for (const [key, label] of HALL_ROWS) hall.addRow({ field: label, value: hallValues[key] });
  styleHeader(hall);

  const departments = c?.departments ?? (example ? [{ name: '公安户籍', nameEn: 'Household Registration' }] : []);
  table(book, SHEETS.departments, DEPARTMENT_COLUMNS, departments, [20, 36]);

  const items =
    c?.items ??
    (example
      ? [
          {
            code: 'GA-SFZ-HL',
            name: '居民身份证换领',
            department: '公安户籍',
            prefix: 'A',
            dailyQuota: 200,
            issuingHours: [{ from: '08:30', to: '12:00' }, { from: '13:30', to: '17:00' }],
            conditions: ['有效期满或证件损坏'],
            materials: [{ id: 'm1', name: '原居民身份证', form: 'original' as const, count: 1 }],
            steps: ['取号', '采集照片和指纹', '缴费', '领证'],
            fees: '工本费20元',
            legalLimitDays: 60,
            promisedLimitDays: 20,
            typicalServiceMinutes: 8,
          },
        ]
      : []);
  table(
    book,
    SHEETS.items,
    ITEM_COLUMNS,
    items.map((i) => ({
      ...i,
      nameEn: 'nameEn' in i ? i.nameEn : undefined,
      issuingHours: i.issuingHours.map((x) => `${x.from}-${x.to}`).join('\n'),
      conditions: lines(i.conditions),
      materials: i.materials.map(materialText).join('\n'),
      steps: lines(i.steps),
    })),
    [16, 24, 20, 14, 10, 10, 16, 36, 40, 30, 16, 12, 12, 12, 30],
  );

  const windows = c?.windows.filter((w) => !w.temporary) ?? (example ? [{ number: 1, name: '1号窗口', department: '公安户籍', serves: ['GA-SFZ-HL'], devices: ['window-terminal', 'number-display', 'rating-pad'] as const }] : []);
  table(
    book,
    SHEETS.windows,
    WINDOW_COLUMNS,
    windows.map((w) => ({ ...w, serves: w.serves.join('\n'), devices: (w.devices ?? []).map((d) => DEVICES[d]).join('\n') })),
    [10, 16, 14, 30, 24],
  );

  const clerks = c?.clerks ?? (example ? [{ number: '1001', name: '张三', department: '公安户籍', title: '科员' }] : []);
  table(
    book,
    SHEETS.clerks,
    CLERK_COLUMNS,
    clerks.map(({ photo: _, ...rest }: { photo?: string } & Record<string, unknown>) => rest),
    [12, 12, 14, 12],
  );

  const notes = book.addWorksheet(SHEETS.notes);
  notes.columns = [{ key: 'text', header: '填写说明', width: 110 }];
  for (const text of [
    '每个工作表第一行是表头，请勿改动；每行填写一个部门、事项、窗口或工作人员。',
    '一个单元格里有多项时（受理条件、申请材料、办理流程、取号时段、办理事项编码、设备、公告），每项占一行（Alt+Enter 换行），或用分号隔开。',
    '申请材料每项写作：名称|形式|份数|备注，形式为 原件、复印件、原件及复印件 或 电子版，例如：居民身份证|原件|1。',
    '取号时段写作 08:30-12:00，可写多段。号码前缀为一至两个大写字母；共用前缀的事项共用一个号码序列。',
    '承诺办结时限不得长于法定办结时限；时限按工作日计算（跳过法定节假日，计入调休上班日）。',
    `设备可填：${Object.values(DEVICES).join('、')}。`,
    '导入后会先在设置向导中显示，核对无误后再保存；有错误时会指出工作表、行和列。',
  ])
    notes.addRow({ text });
  styleHeader(notes);
  return book;
}

export async function catalogueToWorkbook(catalogue: Catalogue): Promise<Buffer> {
  return Buffer.from(await build(catalogue, false).xlsx.writeBuffer());
}

/** The empty workbook to fill in, with one example row in each sheet. */
export async function templateWorkbook(): Promise<Buffer> {
  return Buffer.from(await build(undefined, true).xlsx.writeBuffer());
}

export interface WorkbookProblem {
  sheet: string;
  /** The row in Excel's numbering (the header is row 1); absent for a problem of the whole sheet. */
  row?: number;
  column?: string;
  message: string;
  /** The check's code (zod's: too_big, invalid_type, ...) where the catalogue's own check found it, for the console to say in its language. */
  code?: string;
}

export type WorkbookImport = { ok: true; catalogue: Catalogue } | { ok: false; problems: WorkbookProblem[] };

/**
 * A cell's value as text, whatever Excel made of it (numbers, rich text, formulas and their
 * results, hyperlinks, dates); an error (#N/A, a formula's #REF!) is told apart, never read as text.
 */
function cellText(v: unknown): { text: string; error?: string } {
  if (v === null || v === undefined) return { text: '' };
  if (typeof v === 'string') return { text: v.trim() };
  if (typeof v === 'number' || typeof v === 'boolean') return { text: String(v) };
  if (v instanceof Date) return { text: v.toISOString().slice(0, 10) };
  if (typeof v === 'object') {
    if ('error' in v) return { text: '', error: String(v.error) };
    if ('richText' in v && Array.isArray(v.richText)) return { text: v.richText.map((r: { text?: unknown }) => String(r.text ?? '')).join('').trim() };
    if ('text' in v) return cellText(v.text);
    if ('result' in v) return cellText(v.result);
  }
  // A formula Excel never worked out (no result kept in the file) says nothing.
  return { text: '' };
}

const text = (cell: ExcelJS.Cell | undefined) => cellText(cell?.value).text;
const formulaError = (error: string) => `单元格的公式出错（${error}），请改正公式或直接填写内容`;

/** Cells of codes, numbers and times: full-width digits, letters and colons (８：３０, Ａ, １００１) are read as their plain forms. */
const PLAIN = new Set(['code', 'prefix', 'dailyQuota', 'issuingHours', 'legalLimitDays', 'promisedLimitDays', 'typicalServiceMinutes', 'number', 'serves']);

/** Reads a sheet by its headers (in any order); unknown headers are named as problems. */
function readTable(sheet: ExcelJS.Worksheet, columns: readonly (readonly [string, string])[], problems: WorkbookProblem[]): { row: number; values: Record<string, string> }[] {
  const byHeader = new Map(columns.map(([key, header]) => [header.replace(/\s|（.*）|\(.*\)/g, ''), key]));
  const keys = new Map<number, string>();
  sheet.getRow(1).eachCell((cell, col) => {
    const header = text(cell).replace(/\s|（.*）|\(.*\)/g, '');
    const key = byHeader.get(header);
    if (key) keys.set(col, key);
    else if (header) problems.push({ sheet: sheet.name, row: 1, column: text(cell), message: `不认识的表头“${text(cell)}”` });
  });
  for (const [key, header] of columns) if (![...keys.values()].includes(key) && key !== 'nameEn') problems.push({ sheet: sheet.name, row: 1, column: header, message: `缺少表头“${header}”` });
  const out: { row: number; values: Record<string, string> }[] = [];
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const values: Record<string, string> = {};
    for (const [col, key] of keys) {
      const cell = cellText(row.getCell(col).value);
      if (cell.error) problems.push({ sheet: sheet.name, row: n, column: columns.find(([k]) => k === key)![1], message: formulaError(cell.error) });
      values[key] = PLAIN.has(key) ? cell.text.normalize('NFKC') : cell.text;
    }
    if (Object.values(values).some((v) => v !== '')) out.push({ row: n, values });
  });
  return out;
}

const FORM_BY_NAME = new Map(Object.entries(FORMS).map(([k, v]) => [v, k as Material['form']]));
const DEVICE_BY_NAME = new Map(Object.entries(DEVICES).map(([k, v]) => [v, k]));

/**
 * The most a workbook may hold unpacked. A hall's catalogue with its whole guides is a few
 * megabytes; the reader (exceljs) unpacks all of it into the hub's memory, and a zip of a few
 * megabytes can unpack to gigabytes.
 */
export const MAX_UNPACKED_BYTES = 16 * 1024 * 1024;

/**
 * The most rows a sheet may have: a hall's items are hundreds, a province's library some thousands.
 * Reading 100,000 rows took the hub's thread 8 s and a gigabyte, and named half a million problems.
 */
export const MAX_SHEET_ROWS = 10_000;

/** The most problems one answer names: the first ones, and how many more there are. */
export const MAX_PROBLEMS = 200;

/**
 * What a zip holds unpacked: more than `limit` bytes (each entry is inflated here, counted as it
 * comes, and dropped once the count passes the limit, whatever its header claims), or the most rows
 * one of its worksheets has. Undefined when it is not a zip this can read (exceljs then says so). The
 * zip is read by JSZip, as exceljs reads it (ZIP64 included), so both see the same entries.
 */
async function unpacked(data: Buffer, limit: number): Promise<{ beyond: true } | { beyond: false; rows: number } | undefined> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(data);
  } catch {
    return undefined;
  }
  let total = 0;
  let rows = 0;
  try {
    for (const entry of Object.values(zip.files)) {
      if (entry.dir) continue;
      const sheet = /^xl\/worksheets\/[^/]+\.xml$/.test(entry.name);
      const chunks: Buffer[] = [];
      const beyond = await new Promise<boolean>((resolve, reject) => {
        const stream = entry.nodeStream('nodebuffer');
        stream
          .on('data', (chunk: Buffer) => {
            total += chunk.length;
            // Paused for good: nothing more of this entry is inflated.
            if (total > limit) return void (stream.pause(), resolve(true));
            if (sheet) chunks.push(chunk);
          })
          .on('error', reject)
          .on('end', () => resolve(false));
      });
      if (beyond) return { beyond: true };
      if (sheet) rows = Math.max(rows, Buffer.concat(chunks).toString('latin1').match(/<(?:\w+:)?row[\s>]/g)?.length ?? 0);
    }
  } catch {
    return undefined;
  }
  return { beyond: false, rows };
}

/**
 * Reads a workbook into a catalogue. The hall's other settings (numbering, queue policy, ratings,
 * calendar) are kept from `base`. Every problem is named by sheet, row and column, all at once.
 */
export async function workbookToCatalogue(data: Buffer | ArrayBuffer, base: Catalogue): Promise<WorkbookImport> {
  const book = new ExcelJS.Workbook();
  const held = await unpacked(Buffer.isBuffer(data) ? data : Buffer.from(data), MAX_UNPACKED_BYTES);
  if (held?.beyond)
    return {
      ok: false,
      problems: [{ sheet: '', message: `工作簿解压后超过 ${MAX_UNPACKED_BYTES / 1024 / 1024} MB，不像一个大厅的事项目录（可能含有大量空行、图片或格式）。请只保留大厅、部门、事项、窗口、工作人员各表的内容，另存后再导入` }],
    };
  if (held && held.rows > MAX_SHEET_ROWS)
    return { ok: false, problems: [{ sheet: '', message: `有一个工作表有 ${held.rows} 行，超过 ${MAX_SHEET_ROWS} 行的上限：请只保留本大厅的部门、事项、窗口和工作人员，删去多余的行后再导入` }] };
  try {
    await book.xlsx.load(data as ArrayBuffer);
  } catch {
    return { ok: false, problems: [{ sheet: '', message: '文件不是有效的 Excel 工作簿（.xlsx），请用模板填写后再导入' }] };
  }
  const problems: WorkbookProblem[] = [];
  /** A number in a cell, or a problem that names the cell (and undefined). */
  const num = (s: string | undefined, sheetName: string, row: number, key: string, columns: readonly (readonly [string, string])[]) => {
    if (!s) return undefined;
    if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
    problems.push({ sheet: sheetName, row, column: columns.find(([k]) => k === key)![1], message: `应填写数字，如 60，而不是“${s}”` });
    return undefined;
  };
  const sheet = (name: string) => {
    const s = book.getWorksheet(name);
    if (!s) problems.push({ sheet: name, message: `缺少工作表“${name}”` });
    return s;
  };
  const hallSheet = sheet(SHEETS.hall);
  const hall: Record<string, unknown> = { ...base.hall };
  const hallRow = new Map<string, number>();
  if (hallSheet) {
    const byLabel = new Map<string, string>(HALL_ROWS.map(([key, label]) => [label, key]));
    hallSheet.eachRow((row, n) => {
      if (n === 1) return;
      const key = byLabel.get(text(row.getCell(1)));
      if (!key) return;
      hallRow.set(key, n);
      const cell = cellText(row.getCell(2).value);
      if (cell.error) problems.push({ sheet: SHEETS.hall, row: n, column: HALL_ROWS.find(([k]) => k === key)![1], message: formulaError(cell.error) });
      const value = cell.text;
      if (key === 'notices') hall[key] = splitLines(value);
      else if (value === '') delete hall[key];
      else hall[key] = value;
    });
  }
  const departments = sheet(SHEETS.departments);
  const items = sheet(SHEETS.items);
  const windows = sheet(SHEETS.windows);
  const clerks = sheet(SHEETS.clerks);
  const rows = {
    departments: departments ? readTable(departments, DEPARTMENT_COLUMNS, problems) : [],
    items: items ? readTable(items, ITEM_COLUMNS, problems) : [],
    windows: windows ? readTable(windows, WINDOW_COLUMNS, problems) : [],
    clerks: clerks ? readTable(clerks, CLERK_COLUMNS, problems) : [],
  };
  const windowDevices = (cell: string, row: number) => {
    const devices = splitLines(cell)
      .flatMap((s) => s.split(/[,，、]+/))
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const key = DEVICE_BY_NAME.get(d);
        if (!key) problems.push({ sheet: SHEETS.windows, row, column: '设备', message: `不认识的设备“${d}”，可填：${Object.values(DEVICES).join('、')}` });
        return key ?? 'window-terminal';
      });
    return devices.length ? { devices } : {};
  };
  const input = {
    ...base,
    hall,
    departments: rows.departments.map(({ values: v }) => ({ name: v.name, ...(v.nameEn ? { nameEn: v.nameEn } : {}) })),
    items: rows.items.map(({ row, values: v }) => {
      const typed = splitLines(v.materials ?? '').map((line, j) => {
        const [name = '', form = '原件', count = '1', note] = line.split(/[|｜]/).map((s) => s.trim());
        const f = FORM_BY_NAME.get(form);
        if (!f) problems.push({ sheet: SHEETS.items, row, column: '申请材料', message: `第${j + 1}项的形式“${form}”应为 ${Object.values(FORMS).join('、')}` });
        const n = count.normalize('NFKC');
        if (!/^\d+$/.test(n)) problems.push({ sheet: SHEETS.items, row, column: '申请材料', message: `第${j + 1}项的份数应填写数字，如 1，而不是“${count}”` });
        return { name, form: f ?? 'original', count: /^\d+$/.test(n) ? Number(n) : 1, ...(note ? { note } : {}) };
      });
      // A material of the stored item's keeps its id (correction notices name materials by id), as the setup's save keeps it.
      const materials = withMaterialIds(typed, base.items.find((i) => i.code === v.code)?.materials);
      const issuingHours = periodsOf(v.issuingHours ?? '');
      return {
        code: v.code,
        name: v.name,
        ...(v.nameEn ? { nameEn: v.nameEn } : {}),
        department: v.department,
        prefix: (v.prefix ?? '').toUpperCase(),
        ...(v.dailyQuota ? { dailyQuota: num(v.dailyQuota, SHEETS.items, row, 'dailyQuota', ITEM_COLUMNS) } : {}),
        ...(issuingHours.length ? { issuingHours } : {}),
        conditions: splitLines(v.conditions ?? ''),
        materials,
        steps: splitLines(v.steps ?? ''),
        ...(v.fees ? { fees: v.fees } : {}),
        legalLimitDays: num(v.legalLimitDays, SHEETS.items, row, 'legalLimitDays', ITEM_COLUMNS),
        promisedLimitDays: num(v.promisedLimitDays, SHEETS.items, row, 'promisedLimitDays', ITEM_COLUMNS),
        ...(v.typicalServiceMinutes ? { typicalServiceMinutes: num(v.typicalServiceMinutes, SHEETS.items, row, 'typicalServiceMinutes', ITEM_COLUMNS) } : {}),
        ...(v.onlineUrl ? { onlineUrl: v.onlineUrl } : {}),
      };
    }),
    windows: rows.windows.map(({ row, values: v }) => ({
      number: num(v.number, SHEETS.windows, row, 'number', WINDOW_COLUMNS),
      name: v.name || (v.number ? `${v.number}号窗口` : ''),
      ...(v.department ? { department: v.department } : {}),
      serves: splitLines(v.serves ?? '').flatMap((s) => s.split(/[,，、\s]+/)).filter(Boolean),
      ...windowDevices(v.devices ?? '', row),
    })),
    clerks: rows.clerks.map(({ values: v }) => ({ number: v.number, name: v.name, department: v.department, ...(v.title ? { title: v.title } : {}) })),
  };
  const parsed = IncomingCatalogueSchema.safeParse(input);
  if (parsed.success && problems.length === 0) return { ok: true, catalogue: parsed.data };
  if (!parsed.success) {
    // A cell already named above (a word where a number goes) is not named again by the catalogue's check.
    const named = new Set(problems.map((p) => `${p.sheet}|${p.row}|${p.column}`));
    const push = (p: WorkbookProblem) => {
      if (!named.has(`${p.sheet}|${p.row}|${p.column}`)) problems.push(p);
    };
    for (const issue of parsed.error.issues) {
      const [part, index, field] = issue.path as (string | number)[];
      const at = (sheetName: string, list: { row: number }[], columns: readonly (readonly [string, string])[]) => {
        const row = typeof index === 'number' ? list[index]?.row : undefined;
        const column = columns.find(([key]) => key === field)?.[1];
        push({ sheet: sheetName, ...(row ? { row } : {}), ...(column ? { column } : {}), message: issue.message, code: issue.code });
      };
      if (part === 'hall') {
        const label = HALL_ROWS.find(([key]) => key === index)?.[1];
        const row = hallRow.get(String(index));
        push({ sheet: SHEETS.hall, ...(row ? { row } : {}), ...(label ? { column: label } : {}), message: issue.message, code: issue.code });
      } else if (part === 'departments') at(SHEETS.departments, rows.departments, DEPARTMENT_COLUMNS);
      else if (part === 'items') at(SHEETS.items, rows.items, ITEM_COLUMNS);
      else if (part === 'windows') at(SHEETS.windows, rows.windows, WINDOW_COLUMNS);
      else if (part === 'clerks') at(SHEETS.clerks, rows.clerks, CLERK_COLUMNS);
      else push({ sheet: '', message: `${issue.path.join('.')}: ${issue.message}`, code: issue.code });
    }
  }
  if (problems.length > MAX_PROBLEMS)
    return { ok: false, problems: [...problems.slice(0, MAX_PROBLEMS), { sheet: '', message: `另有 ${problems.length - MAX_PROBLEMS} 处问题未列出：请先改正以上各处，再导入一次` }] };
  return { ok: false, problems };
}
