import readline from 'node:readline';
import { Writable } from 'node:stream';

/** Questions on a terminal: `packyard init`'s answers and `packyard login`'s password. */
export interface Prompter {
  ask(question: string, dflt?: string): Promise<string>;
  /** Reads a line without echoing it (a password). */
  secret(question: string): Promise<string>;
  close(): void;
}

/** Whether both ends are a terminal, so questions can be asked. */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

/** Prompts on stderr (stdout stays for results), answers from stdin. */
export function terminalPrompter(
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Prompter {
  let muted = false;
  // Echo goes through this stream: while muted, typed characters are swallowed.
  const echo = new Writable({
    write(chunk, _enc, done) {
      if (!muted) output.write(chunk);
      done();
    },
  });
  const rl = readline.createInterface({ input, output: echo, terminal: true });
  // Lines typed ahead (or pasted at once) wait here for the question they answer.
  const queued: string[] = [];
  const waiting: { resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  let closed = false;
  rl.on('line', (l) => {
    const w = waiting.shift();
    if (w) w.resolve(l);
    else queued.push(l);
  });
  rl.on('close', () => {
    closed = true;
    for (const w of waiting.splice(0)) w.reject(new Error('no answer: standard input closed'));
  });
  const line = (q: string) => {
    rl.setPrompt(q);
    rl.prompt();
    const next = queued.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (closed) return Promise.reject(new Error('no answer: standard input closed'));
    return new Promise<string>((resolve, reject) => waiting.push({ resolve, reject }));
  };
  return {
    async ask(question, dflt) {
      const a = (await line(`${question}${dflt ? ` [${dflt}]` : ''}: `)).trim();
      return a || dflt || '';
    },
    async secret(question) {
      output.write(`${question}: `);
      muted = true;
      try {
        return await line('');
      } finally {
        muted = false;
        output.write('\n');
      }
    },
    close: () => rl.close(),
  };
}
