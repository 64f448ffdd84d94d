/**
 * A command written as one string is split into argv the way compose does (shell words: blanks
 * separate, quotes group, backslash escapes), with no expansion: no shell ever sees it.
 */
import { fail, ok, type Parsed } from './parsed.js';

export function shellWords(text: string): Parsed<string[]> {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1] as string)) word += text[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\') {
      if (i + 1 < text.length) word += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote !== undefined) return fail(`unterminated ${quote} quote in ${JSON.stringify(text)}`);
  if (inWord) words.push(word);
  if (words.length === 0) return fail('the command is empty');
  return ok(words);
}

/** `command:` / `entrypoint:` as written (a string or a list) to argv. */
export function toArgv(value: string | readonly string[]): Parsed<string[]> {
  return typeof value === 'string' ? shellWords(value) : ok([...value]);
}
