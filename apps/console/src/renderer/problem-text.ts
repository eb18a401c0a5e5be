import type { Problem } from './api';
import type { Strings } from './i18n';

// The catalogue's own English checks, said in Chinese.
const ZH_MESSAGES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/one or two capital letters/, () => '一至两个大写字母'],
  [/letters, digits, - and _ only/, () => '只能用字母、数字、- 和 _'],
  [/duplicate service item code (.+)/, (m) => `事项编码 ${m[1]} 重复`],
  [/duplicate window number (.+)/, (m) => `窗口号 ${m[1]} 重复`],
  [/duplicate clerk number (.+)/, (m) => `工号 ${m[1]} 重复`],
  [/duplicate material id/, () => '材料重复'],
  [/unknown department (.+)/, (m) => `没有名为“${m[1]}”的部门`],
  [/unknown service item (.+)/, (m) => `没有编码为 ${m[1]} 的事项`],
  [/promised limit cannot exceed the legal limit/, () => '承诺时限不能长于法定时限'],
  [/uses a phrase the handbook forbids \(H-14\): (.+)/, (m) => `含有服务忌语：${m[1]}`],
  [/expected HH:MM/, () => '时间应写作 HH:MM，如 08:30'],
  [/end must be later than the start/, () => '结束时间应晚于开始时间'],
  [/not a time zone/, () => '不是有效的时区，如 Asia/Shanghai'],
  [/not an address|must start with https/, () => '应写作 https:// 开头的网址，如 https://zwfw.example.gov.cn'],
  [/this machine's own address/, () => '这是服务器本机地址，群众手机无法访问，请填写手机可访问的地址'],
  [/must not hold a user name|must not hold a query/, () => '网址中不能含用户名、密码、问号或井号'],
  [/range must hold at least two numbers|does not fit in the digits/, () => '号码范围设置有误'],
  [/must not be spaces only/, () => '不能只填空格'],
  // zod's own checks of a field's size, with the bound it names: what to type, not only that it is wrong.
  [/the period overlaps period (\d+)/, (m) => `与第 ${m[1]} 段时间重叠：各段不能重叠，例如 08:30-12:00 和 13:30-17:00`],
  [/expected number to be >=(-?[\d.]+)/, (m) => `不能小于 ${m[1]}`],
  [/expected number to be <=(-?[\d.]+)/, (m) => `不能大于 ${m[1]}`],
  [/expected number to be >(-?[\d.]+)/, (m) => `应大于 ${m[1]}`],
  [/expected string to have >=1 characters/, () => '请填写此项'],
  [/expected string to have >=(\d+) characters/, (m) => `至少 ${m[1]} 个字`],
  [/expected string to have <=(\d+) characters/, (m) => `最多 ${m[1]} 个字`],
  [/expected array to have >=(\d+) items/, (m) => `至少要有 ${m[1]} 项`],
  [/expected array to have <=(\d+) items/, (m) => `最多 ${m[1]} 项`],
  [/expected int, received number/, () => '应为整数，不带小数'],
  [/expected (?:int|number), received (?:null|NaN)/, () => '应填写数字（半角阿拉伯数字），例如 200'],
  [/holds a control character \(U\+([0-9A-F]+)\)/, (m) => `含有看不见的控制字符（U+${m[1]}），屏幕显示不出，打印机会当作指令：请删除后再保存（可将此项重新输入一遍）`],
];

/** A problem of the setup (the hub's, a workbook's) as the page says it: the hub's own words, else the catalogue's English check said in Chinese. */
export function problemText(p: Problem, t: Strings, language: string): string {
  // The hub's own words for it (which period of an item's hours, and how it is written), in the page's language.
  if (p.text) return p.text;
  if (language === 'zh-CN') {
    for (const [re, say] of ZH_MESSAGES) {
      const m = re.exec(p.message);
      if (m) return say(m);
    }
    if (p.code && t.problem[p.code]) return t.problem[p.code]!;
  }
  return p.message;
}

