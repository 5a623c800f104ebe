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
  const line = (q: string) =>
    new Promise<string>((resolve, reject) => {
      const onClose = () => reject(new Error('no answer: standard input closed'));
      rl.once('close', onClose);
      rl.question(q, (a) => {
        rl.off('close', onClose);
        resolve(a);
      });
    });
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
