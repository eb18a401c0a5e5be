/** Reads the State Council notice as a table: one day a line, "2027-01-01 放假 元旦" (or with tabs, commas, 上班 for a make-up day). */
export function parseYearTable(text: string, year: number): { holidays: Record<string, string>; workdays: Record<string, string>; bad: string[] } {
  const holidays: Record<string, string> = {};
  const workdays: Record<string, string> = {};
  const bad: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?[\s,，\t]+(调休上班|休息|放假|上班|休|班)[\s,，\t]*(.*)$/.exec(line);
    if (!m || Number(m[1]) !== year) {
      bad.push(line);
      continue;
    }
    const day = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
    const worked = m[4]!.includes('班');
    // No such day (2月30日), or a day already listed the other way (off and worked): the line is named here, not refused by the hub as a whole.
    if (Number.isNaN(Date.parse(`${day}T00:00:00Z`)) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day || day in (worked ? holidays : workdays)) {
      bad.push(line);
      continue;
    }
    const name = m[5]!.trim() || (worked ? '调休上班' : '放假');
    if (worked) workdays[day] = name;
    else holidays[day] = name;
  }
  return { holidays, workdays, bad };
}
