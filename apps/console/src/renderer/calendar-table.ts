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
    const name = m[5]!.trim() || (m[4]!.includes('班') ? '调休上班' : '放假');
    if (m[4]!.includes('班')) workdays[day] = name;
    else holidays[day] = name;
  }
  return { holidays, workdays, bad };
}
