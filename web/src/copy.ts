import { h } from './dom.ts';

/** A snippet with a Copy button (Clipboard API; the text stays selectable where it is refused). */
export function copyBlock(title: string, text: string, id: string): HTMLElement {
  const status = h('span', { class: 'copy-status', role: 'status', 'aria-live': 'polite' });
  const pre = h('pre', { class: 'code snippet', id: `snippet-${id}`, tabindex: 0 }, h('code', {}, text));
  const button = h(
    'button',
    {
      type: 'button',
      class: 'copy',
      'data-copy': id,
      'aria-describedby': `snippet-${id}`,
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(text);
          status.textContent = 'Copied';
        } catch {
          const range = document.createRange();
          range.selectNodeContents(pre);
          getSelection()?.removeAllRanges();
          getSelection()?.addRange(range);
          status.textContent = 'Press Ctrl+C to copy';
        }
        setTimeout(() => {
          status.textContent = '';
        }, 2500);
      },
    },
    'Copy',
  );
  return h(
    'div',
    { class: 'snippet-box' },
    h('div', { class: 'snippet-head' }, h('h3', {}, title), status, button),
    pre,
  );
}
