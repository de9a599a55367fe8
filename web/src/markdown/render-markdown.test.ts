import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './render-markdown.js';

describe('renderMarkdown', () => {
  it('renders emphasis, lists and inline code', () => {
    const html = renderMarkdown('**bold** and `x < y`\n\n- one\n- two');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<code>x &lt; y</code>');
    expect(html).toContain('<li>one</li>');
  });

  it('shows raw HTML from the model as text, inline and in blocks', () => {
    const html = renderMarkdown('hi <img src=x onerror=alert(1)>\n\n<script>alert(1)</script>\n\n<div onclick="x()">block</div>');
    expect(html).not.toMatch(/<img|<script|<div onclick/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;script&gt;');
  });

  it('drops links that would run code, and keeps web links', () => {
    const html = renderMarkdown('[bad](javascript:alert(1)) [data](data:text/html,x) [good](https://example.com/a?b=1&c=2)');
    expect(html).not.toContain('javascript:');
    expect(html).not.toContain('data:text');
    expect(html).toContain('<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">good</a>');
  });

  it('turns images into links, so the page fetches nothing', () => {
    const html = renderMarkdown('![a cat](https://example.com/cat.png)');
    expect(html).not.toContain('<img');
    expect(html).toContain('[a cat]');
  });

  it('gives each code block its language and a copy button, with the code escaped', () => {
    const html = renderMarkdown('```ts\nconst a = "<b>";\n```');
    expect(html).toContain('<span>ts</span>');
    expect(html).toContain('data-copy-code');
    expect(html).toContain('const a = &quot;&lt;b&gt;&quot;;');
  });

  it('escapes a language name that tries to break out of its tag', () => {
    expect(renderMarkdown('```"><script>\nx\n```')).not.toContain('<script>');
  });
});
