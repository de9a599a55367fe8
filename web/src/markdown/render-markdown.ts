// Markdown from a model to HTML that is safe to insert: raw HTML is shown as text, only web and mail links
// are kept, images become links (nothing is fetched), and each code block gets a copy button.
import { Marked, type Tokens } from 'marked';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/** Marked hands over hrefs as written; a `javascript:` or `data:` one must not reach an `href`. */
function safeHref(href: string): string | undefined {
  return /^(https?:|mailto:|#)/i.test(href.trim()) ? href.trim() : undefined;
}

const marked = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    html: ({ text }) => escapeHtml(text),
    code({ text, lang }) {
      const language = lang?.match(/^\S*/)?.[0] ?? '';
      const label = language === '' ? 'code' : escapeHtml(language);
      return (
        `<div class="code-block"><div class="code-bar"><span>${label}</span>` +
        `<button type="button" class="copy-code" data-copy-code aria-label="Copy ${label}">Copy</button></div>` +
        `<pre><code>${escapeHtml(text)}</code></pre></div>\n`
      );
    },
    link(this: { parser: { parseInline(tokens: Tokens.Link['tokens']): string } }, { href, tokens }: Tokens.Link) {
      const inner = this.parser.parseInline(tokens);
      const target = safeHref(href);
      return target === undefined ? inner : `<a href="${escapeHtml(target)}" target="_blank" rel="noopener noreferrer">${inner}</a>`;
    },
    image({ href, text }: Tokens.Image) {
      const target = safeHref(href);
      const label = escapeHtml(text === '' ? 'image' : text);
      return target === undefined ? label : `<a href="${escapeHtml(target)}" target="_blank" rel="noopener noreferrer">[${label}]</a>`;
    },
  },
});

export function renderMarkdown(markdown: string): string {
  return marked.parse(markdown, { async: false });
}
