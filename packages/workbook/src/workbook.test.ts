import { demoCatalogue } from '@servicehall/fixtures';
import { unconfiguredCatalogue } from '@servicehall/core';
import archiver from 'archiver';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { catalogueToWorkbook, MAX_PROBLEMS, MAX_SHEET_ROWS, MAX_UNPACKED_BYTES, SHEETS, templateWorkbook, workbookToCatalogue } from '.';

describe('the catalogue as an Excel workbook', () => {
  it('exports the demo hall and reads it back unchanged', async () => {
    const demo = demoCatalogue();
    const book = await catalogueToWorkbook(demo);
    const back = await workbookToCatalogue(book, demo);
    if (!back.ok) throw new Error(JSON.stringify(back.problems));
    const withoutPhotos = (c: typeof demo) => ({ ...c, clerks: c.clerks.map(({ photo: _, ...rest }) => rest) });
    expect(back.catalogue.items).toEqual(demo.items);
    expect(withoutPhotos(back.catalogue)).toEqual(withoutPhotos(demo));
  });

  it('keeps the stored id of each material it finds by name, however the rows moved or their text changed, and gives a new material an id no stored one had', async () => {
    const stored = demoCatalogue();
    const [first, second] = stored.items;
    first!.materials = [
      { id: 'm1', name: '居民身份证', form: 'original', count: 1 },
      { id: 'm2', name: '户口簿', form: 'original', count: 1 },
      { id: 'm3', name: '近期免冠照片', form: 'original', count: 2 },
    ];
    // A hall whose setup came by the API, with ids of its own.
    second!.materials = [
      { id: 'id-card', name: '居民身份证', form: 'original', count: 1 },
      { id: 'form-a', name: '申请表', form: 'original', count: 1 },
    ];
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await catalogueToWorkbook(stored)) as unknown as ArrayBuffer);
    const items = book.getWorksheet(SHEETS.items)!;
    expect(items.getRow(2).getCell(1).value).toBe(first!.code);
    // The hall edits a photo's count and note, drops 户口簿 and puts a new material first.
    items.getRow(2).getCell(9).value = '结婚证|复印件|1\n近期免冠照片|原件|3|白底\n居民身份证|原件|1';
    const back = await workbookToCatalogue(Buffer.from(await book.xlsx.writeBuffer()), stored);
    if (!back.ok) throw new Error(JSON.stringify(back.problems));
    expect(back.catalogue.items[0]!.materials).toEqual([
      { id: 'm4', name: '结婚证', form: 'copy', count: 1 },
      { id: 'm3', name: '近期免冠照片', form: 'original', count: 3, note: '白底' },
      { id: 'm1', name: '居民身份证', form: 'original', count: 1 },
    ]);
    expect(back.catalogue.items[1]!.materials).toEqual(second!.materials);
  });

  it('has Chinese headers on the departments, items, windows and clerks sheets', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await templateWorkbook()) as unknown as ArrayBuffer);
    expect(book.worksheets.map((s) => s.name)).toEqual(['大厅', '部门', '事项', '窗口', '工作人员', '说明']);
    expect(book.getWorksheet(SHEETS.items)!.getRow(1).getCell(1).value).toBe('事项编码');
    expect(book.getWorksheet(SHEETS.windows)!.getRow(1).getCell(4).value).toBe('办理事项编码');
  });

  it('reads the filled-in template into a hall that can be set up', async () => {
    const r = await workbookToCatalogue(await templateWorkbook(), unconfiguredCatalogue());
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.catalogue.items[0]).toMatchObject({ code: 'GA-SFZ-HL', prefix: 'A', issuingHours: [{ from: '08:30', to: '12:00' }, { from: '13:30', to: '17:00' }] });
    expect(r.catalogue.windows[0]).toMatchObject({ number: 1, serves: ['GA-SFZ-HL'], devices: ['window-terminal', 'number-display', 'rating-pad'] });
  });

  it('names every problem by sheet, row and column, all at once', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await templateWorkbook()) as unknown as ArrayBuffer);
    const items = book.getWorksheet(SHEETS.items)!;
    items.getRow(2).getCell(5).value = 'a1'; // 号码前缀
    items.getRow(2).getCell(13).value = 99; // 承诺 > 法定 60
    items.getRow(2).getCell(9).value = '居民身份证|原本|1';
    book.getWorksheet(SHEETS.windows)!.getRow(2).getCell(4).value = 'NO-SUCH-ITEM';
    const r = await workbookToCatalogue(Buffer.from(await book.xlsx.writeBuffer()), unconfiguredCatalogue());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sheet: '事项', row: 2, column: '申请材料' }),
        expect.objectContaining({ sheet: '事项', row: 2, column: '号码前缀' }),
        expect.objectContaining({ sheet: '事项', row: 2, column: '承诺办结时限（工作日）' }),
        expect.objectContaining({ sheet: '窗口', row: 2, column: '办理事项编码' }),
      ]),
    );
  });

  it('reads full-width digits, letters and colons in codes, numbers and hours as their plain forms', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await templateWorkbook()) as unknown as ArrayBuffer);
    const items = book.getWorksheet(SHEETS.items)!;
    items.getRow(2).getCell(5).value = 'Ａ'; // 号码前缀
    items.getRow(2).getCell(6).value = '２００'; // 每日限额
    items.getRow(2).getCell(7).value = '８：３０－１２：００'; // 取号时段
    items.getRow(2).getCell(9).value = '原居民身份证|原件|１';
    book.getWorksheet(SHEETS.clerks)!.getRow(2).getCell(1).value = '１００１';
    const r = await workbookToCatalogue(Buffer.from(await book.xlsx.writeBuffer()), unconfiguredCatalogue());
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.catalogue.items[0]).toMatchObject({ prefix: 'A', dailyQuota: 200, issuingHours: [{ from: '08:30', to: '12:00' }], materials: [{ count: 1 }] });
    expect(r.catalogue.clerks[0]!.number).toBe('1001');
  });

  it('names a word where a number goes in Chinese, once, and gives the catalogue check’s code for the console to say the rest', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await templateWorkbook()) as unknown as ArrayBuffer);
    const items = book.getWorksheet(SHEETS.items)!;
    items.getRow(2).getCell(12).value = '六十天'; // 法定办结时限
    items.getRow(2).getCell(2).value = '事'.repeat(81); // 事项名称, at most 80
    book.getWorksheet(SHEETS.windows)!.getRow(2).getCell(1).value = '一号'; // 窗口号
    const r = await workbookToCatalogue(Buffer.from(await book.xlsx.writeBuffer()), unconfiguredCatalogue());
    if (r.ok) throw new Error('imported');
    expect(r.problems).toEqual([
      { sheet: '事项', row: 2, column: '法定办结时限（工作日）', message: '应填写数字，如 60，而不是“六十天”' },
      { sheet: '窗口', row: 2, column: '窗口号', message: '应填写数字，如 60，而不是“一号”' },
      expect.objectContaining({ sheet: '事项', row: 2, column: '事项名称', code: 'too_big' }),
    ]);
  });

  it('names a formula that ends in an error (#N/A) instead of reading it as text, and reads a hyperlink of rich text', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await templateWorkbook()) as unknown as ArrayBuffer);
    const items = book.getWorksheet(SHEETS.items)!;
    items.getRow(2).getCell(10).value = { text: { richText: [{ text: '取号' }, { text: '；缴费' }] }, hyperlink: 'https://zwfw.example.gov.cn/guide' } as never;
    const steps = await workbookToCatalogue(Buffer.from(await book.xlsx.writeBuffer()), unconfiguredCatalogue());
    if (!steps.ok) throw new Error(JSON.stringify(steps.problems));
    expect(steps.catalogue.items[0]!.steps).toEqual(['取号', '缴费']);
    items.getRow(2).getCell(2).value = { formula: 'VLOOKUP(A2,事项库!A:B,2,0)', result: { error: '#N/A' } } as never;
    const r = await workbookToCatalogue(Buffer.from(await book.xlsx.writeBuffer()), unconfiguredCatalogue());
    expect(r).toEqual({ ok: false, problems: [{ sheet: '事项', row: 2, column: '事项名称', message: '单元格的公式出错（#N/A），请改正公式或直接填写内容' }] });
  });

  it('refuses a small file that unpacks to more than a catalogue can hold, before reading it', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await templateWorkbook()) as unknown as ArrayBuffer);
    const image = book.addImage({ buffer: Buffer.alloc(MAX_UNPACKED_BYTES + 1) as never, extension: 'png' });
    book.getWorksheet(SHEETS.notes)!.addImage(image, 'B2:C3');
    const packed = Buffer.from(await book.xlsx.writeBuffer());
    expect(packed.length).toBeLessThan(1024 * 1024);
    const r = await workbookToCatalogue(packed, unconfiguredCatalogue());
    expect(r).toEqual({ ok: false, problems: [{ sheet: '', message: expect.stringContaining('工作簿解压后超过 16 MB') }] });
    // Its headers made to claim the image is a kilobyte: what counts is what it inflates to.
    const lying = Buffer.from(packed);
    for (let at = lying.indexOf(CENTRAL_ENTRY); at >= 0; at = lying.indexOf(CENTRAL_ENTRY, at + 4)) {
      if (!lying.toString('utf8', at + 46, at + 46 + lying.readUInt16LE(at + 28)).startsWith('xl/media/')) continue;
      lying.writeUInt32LE(1024, at + 24);
      lying.writeUInt32LE(1024, lying.readUInt32LE(at + 42) + 22);
    }
    expect(lying.equals(packed)).toBe(false);
    expect(await workbookToCatalogue(lying, unconfiguredCatalogue())).toEqual({ ok: false, problems: [{ sheet: '', message: expect.stringContaining('工作簿解压后超过 16 MB') }] });
  });

  it('reads a ZIP64 workbook, and refuses one that unpacks to more than a catalogue can hold, before reading it', async () => {
    const plain = await zip64(await templateWorkbook());
    expect(plain.readUInt32LE(plain.length - 22 - 20)).toBe(0x07064b50); // the ZIP64 end of central directory's locator
    const read = await workbookToCatalogue(plain, unconfiguredCatalogue());
    expect(read.ok && read.catalogue.items[0]!.code).toBe('GA-SFZ-HL');
    const bomb = await zip64(await templateWorkbook(), { 'xl/media/image1.png': Buffer.alloc(MAX_UNPACKED_BYTES + 1) });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(await workbookToCatalogue(bomb, unconfiguredCatalogue())).toEqual({ ok: false, problems: [{ sheet: '', message: expect.stringContaining('工作簿解压后超过 16 MB') }] });
  });

  it('refuses a sheet of more rows than a catalogue holds before reading it, and names the first problems of many', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await templateWorkbook()) as unknown as ArrayBuffer);
    const clerks = book.getWorksheet(SHEETS.clerks)!;
    for (let i = 0; i < 300; i++) clerks.addRow([`x-${i}`]);
    const many = await workbookToCatalogue(Buffer.from(await book.xlsx.writeBuffer()), unconfiguredCatalogue());
    if (many.ok) throw new Error('imported');
    expect(many.problems).toHaveLength(MAX_PROBLEMS + 1);
    expect(many.problems.at(-1)).toEqual({ sheet: '', message: expect.stringMatching(/^另有 \d+ 处问题未列出/) });
    for (let i = 300; i < MAX_SHEET_ROWS; i++) clerks.addRow([`x-${i}`]);
    // Timed: the reading only, not the writing of the workbook it reads.
    const rows = Buffer.from(await book.xlsx.writeBuffer());
    const started = performance.now();
    const r = await workbookToCatalogue(rows, unconfiguredCatalogue());
    expect(r).toEqual({ ok: false, problems: [{ sheet: '', message: expect.stringContaining(`有一个工作表有 ${MAX_SHEET_ROWS + 2} 行，超过 ${MAX_SHEET_ROWS} 行的上限`) }] });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('says plainly when the file is not a workbook', async () => {
    const r = await workbookToCatalogue(Buffer.from('not a workbook'), unconfiguredCatalogue());
    expect(r).toEqual({ ok: false, problems: [{ sheet: '', message: expect.stringContaining('Excel') }] });
  });
});

/** The signature of an entry in a zip's central directory. */
const CENTRAL_ENTRY = Buffer.from([0x50, 0x4b, 0x01, 0x02]);

/** A workbook written again as a ZIP64 archive (as some tools write every zip), with entries added. */
async function zip64(workbook: Buffer, more: Record<string, Buffer> = {}): Promise<Buffer> {
  const entries = await JSZip.loadAsync(workbook);
  const archive = archiver('zip', { forceZip64: true, zlib: { level: 9 } });
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve, reject) => archive.on('end', resolve).on('error', reject));
  for (const entry of Object.values(entries.files)) if (!entry.dir) archive.append(await entry.async('nodebuffer'), { name: entry.name });
  for (const [name, data] of Object.entries(more)) archive.append(data, { name });
  await archive.finalize();
  await ended;
  return Buffer.concat(chunks);
}
