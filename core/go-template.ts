import { lexActionBody } from './go-template-lex.ts';

/**
 * Palette renders manifests as Go templates before applying them, so `{{ … }}` actions are
 * legal there but not YAML. We mask them in place (same length, so positions stay exact):
 * a line holding only actions becomes blank, any other action becomes a placeholder scalar.
 */
const ACTION = /\{\{[\s\S]*?\}\}/g;

export function hasTemplateActions(text: string): boolean {
  return text.includes('{{');
}

export function maskTemplateActions(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (!line.includes('{{')) return line;
      if (line.replace(ACTION, '').trim() === '') return ' '.repeat(line.length);
      return line.replace(ACTION, (m) =>
        m.includes('\n') ? m.replace(/[^\n]/g, ' ') : 'x'.repeat(m.length),
      );
    })
    .join('\n');
}

export interface TemplateProblem {
  offset: number;
  message: string;
}

const OPENERS = new Set(['if', 'range', 'with', 'define', 'block']);
// Something like "{- end}" or "{{ end }": an action keyword with one brace missing on a side.
const MALFORMED_ACTION =
  /(^|[^{])(\{-?\s*(?:end|else|if|range|with)\b[^{}\n]*\}\}?|\{\{-?\s*(?:end|else)\b[^{}\n]*\}(?!\}))/m;

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Checks that Go template block actions balance ({{ if }} … {{ end }}), the way Go's parser
 * would refuse them: a manifest whose template does not parse can never render.
 */
export function checkTemplateStructure(text: string): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const stack: { word: string; offset: number }[] = [];
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('{{', i);
    if (start === -1) break;
    const end = text.indexOf('}}', start + 2);
    if (end === -1) {
      problems.push({ offset: start, message: 'template action "{{" is never closed with "}}"' });
      break;
    }
    const body = text
      .slice(start + 2, end)
      .replace(/^-\s/, '')
      .replace(/\s-$/, '')
      .trim();
    i = end + 2;
    if (body.startsWith('/*')) continue;
    const lexed = lexActionBody(body);
    if (lexed) {
      const shown = text.slice(start, end + 2);
      problems.push({
        offset: start,
        message: `template action ${shown.length > 60 ? `${shown.slice(0, 57)}…` : shown} does not parse in Go: ${lexed.message}`,
      });
      continue;
    }
    const word = body.split(/[\s(]/)[0] ?? '';
    if (OPENERS.has(word)) stack.push({ word, offset: start });
    else if (word === 'else') {
      const top = stack[stack.length - 1];
      if (!top || top.word === 'define' || top.word === 'block')
        problems.push({
          offset: start,
          message: '{{ else }} is not inside {{ if }}, {{ range }} or {{ with }}',
        });
    } else if (word === 'end') {
      if (!stack.pop())
        problems.push({
          offset: start,
          message: '{{ end }} has no matching {{ if }}, {{ range }} or {{ with }}',
        });
    }
  }
  const typo = stack.length > 0 ? MALFORMED_ACTION.exec(text) : null;
  const hint = typo
    ? ` (line ${lineOf(text, typo.index + (typo[1]?.length ?? 0))} has "${typo[2]}", which looks like a mistyped action)`
    : '';
  for (const open of stack) {
    problems.push({
      offset: open.offset,
      message: `{{ ${open.word} }} is never closed with {{ end }}; the template cannot render${hint}`,
    });
  }
  return problems;
}
