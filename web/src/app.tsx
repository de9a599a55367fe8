// The Playground's frame: title, navigation, the API key field, the server's reachability, and the page.
import { useState } from 'preact/hooks';
import { loadApiKey, saveApiKey } from './api/api-key.js';
import { useServerHealth } from './api/use-server-health.js';
import { ChatPage } from './chat/chat-page.js';
import { ComparePage } from './compare/compare-page.js';
import { KeysPage } from './keys/keys-page.js';
import { ServerBanner } from './server-banner.js';
import { TemplatesPage } from './templates/templates-page.js';
import { UsagePage } from './usage/usage-page.js';
import { navigate, useRoute } from './use-route.js';

/** The Playground's pages: each page's helper adds its row (path, label, component). */
interface PageProps {
  readonly apiKey: string;
  readonly reconnections: number;
  readonly onUnreachable: () => void;
}

const PAGES: readonly { readonly path: string; readonly label: string; readonly render: (props: PageProps) => preact.JSX.Element }[] = [
  { path: '/', label: 'Chat', render: (props) => <ChatPage {...props} /> },
  { path: '/compare', label: 'Compare', render: (props) => <ComparePage {...props} /> },
  { path: '/templates', label: 'Templates', render: (props) => <TemplatesPage {...props} /> },
  { path: '/usage', label: 'Usage', render: (props) => <UsagePage {...props} /> },
  { path: '/keys', label: 'Keys', render: (props) => <KeysPage {...props} /> },
];

export function App() {
  const [apiKey, setApiKey] = useState(loadApiKey);
  const health = useServerHealth();
  const route = useRoute();
  const page = PAGES.find((candidate) => candidate.path === route) ?? PAGES[0];

  const commitKey = (value: string) => {
    saveApiKey(value);
    setApiKey(value);
  };

  return (
    <>
      <header class="top">
        <h1>Studio Playground</h1>
        <nav aria-label="Pages">
          {PAGES.map((candidate) => (
            <a
              key={candidate.path}
              href={candidate.path}
              aria-current={candidate === page ? 'page' : undefined}
              onClick={(event) => {
                event.preventDefault();
                navigate(candidate.path);
              }}
            >
              {candidate.label}
            </a>
          ))}
        </nav>
        <label class="key-field">
          <span>API key</span>
          <input
            type="password"
            name="api-key"
            autocomplete="off"
            placeholder="only when the server needs one"
            value={apiKey}
            onChange={(event) => commitKey(event.currentTarget.value.trim())}
          />
        </label>
      </header>
      <ServerBanner state={health.state} />
      <main>
        {page?.render({ apiKey, reconnections: health.reconnections, onUnreachable: health.reportUnreachable })}
      </main>
    </>
  );
}
