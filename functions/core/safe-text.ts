/**
 * Text that can go everywhere an accepted event goes. JSON accepts strings that SQS, DynamoDB and SNS
 * refuse: a lone UTF-16 surrogate (`"\ud800"`) has no UTF-8 form, and U+FFFE / U+FFFF are outside the
 * characters SQS allows in a message. Both become U+FFFD (the replacement character) at the boundary,
 * once, so an accepted event can always be queued, keyed, stored and published.
 */

const NON_CHARACTERS = /[\ufffe\uffff]/g;

/** `text` with lone surrogates, U+FFFE and U+FFFF replaced by U+FFFD. */
export function wellFormedText(text: string): string {
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  return wellFormed.includes('\ufffe') || wellFormed.includes('\uffff')
    ? wellFormed.replace(NON_CHARACTERS, '\ufffd')
    : wellFormed;
}

/**
 * Characters a terminal or a line-oriented text log must not receive raw: C0 and C1 controls (line
 * breaks, ESC of ANSI sequences, carriage return), DEL, the Unicode line and paragraph separators, and the
 * bidirectional controls that reorder what a reader sees.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const EVERY_UNPRINTABLE = new RegExp(UNPRINTABLE.source, 'g');

const ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A value shown on one line of text (a console line, `triage tail`, an e-mail body): every unprintable
 * character written as a visible escape (`\n`, `\u001b`), so a value can neither forge a line nor move
 * the cursor. JSON output needs none of this: JSON.stringify escapes controls itself.
 */
export function printable(value: string): string {
  if (!UNPRINTABLE.test(value)) return value;
  return value.replace(
    EVERY_UNPRINTABLE,
    (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
