import { demoCatalogue } from '@servicehall/fixtures';
import { unconfiguredCatalogue } from '@servicehall/core';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { catalogueToWorkbook, SHEETS, templateWorkbook, workbookToCatalogue } from '.';

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

  it('says plainly when the file is not a workbook', async () => {
    const r = await workbookToCatalogue(Buffer.from('not a workbook'), unconfiguredCatalogue());
    expect(r).toEqual({ ok: false, problems: [{ sheet: '', message: expect.stringContaining('Excel') }] });
  });
});
