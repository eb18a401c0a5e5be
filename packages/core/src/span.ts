/**
 * A span of time as people say it: seconds under two minutes, minutes under an hour, then hours and minutes,
 * then days and hours (57,800 minutes is 40 天 3 小时 / 40 days 3 h, not 57800 分钟): the console, the city, the hub's log.
 */
export function spanIn(language: 'zh-CN' | 'en', seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const zh = language === 'zh-CN';
  if (s < 120) return zh ? `${s} 秒` : `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return zh ? `${minutes} 分钟` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const m = minutes % 60;
    return zh ? `${hours} 小时${m ? ` ${m} 分钟` : ''}` : `${hours} h${m ? ` ${m} min` : ''}`;
  }
  const days = Math.floor(hours / 24);
  const h = hours % 24;
  return zh ? `${days} 天${h ? ` ${h} 小时` : ''}` : `${days} ${days === 1 ? 'day' : 'days'}${h ? ` ${h} h` : ''}`;
}
