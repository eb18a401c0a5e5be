/**
 * Settings as an installer types them, for the hub and the terminals alike: a switch's yes or no
 * (an environment variable), and where a settings file's JSON goes wrong.
 */

const SWITCH_ON = ['1', 'true', 'yes', 'on'];
const SWITCH_OFF = ['0', 'false', 'no', 'off'];

/** The spellings a switch takes, as the READMEs and the refusals say them. */
export const SWITCH_SPELLINGS = { on: SWITCH_ON.join('/'), off: SWITCH_OFF.join('/') };

/**
 * A switch's value from its text: 1/true/yes/on or 0/false/no/off in any case, spaces around left
 * out; undefined for any other text, which is to be refused (yes was read as off, without a word).
 */
export function switchValue(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  return SWITCH_ON.includes(word) ? true : SWITCH_OFF.includes(word) ? false : undefined;
}

/** What is wrong with a switch's text, naming its variable: Chinese, then English. */
export function switchProblem(name: string, text: string): { zh: string; en: string } {
  return {
    zh: `${name} 应为 ${SWITCH_SPELLINGS.on}（开）或 ${SWITCH_SPELLINGS.off}（关），而不是“${text}”`,
    en: `${name} is ${SWITCH_SPELLINGS.on} (on) or ${SWITCH_SPELLINGS.off} (off), not "${text}"`,
  };
}
