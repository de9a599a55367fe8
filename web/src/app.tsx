// The Playground's frame: title, navigation, the API key field, the server's reachability, and the page.
import { useState } from 'preact/hooks';
import { loadApiKey, saveApiKey } from './api/api-key.js';
import { useServerHealth } from './api/use-server-health.js';
import { ChatPage } from './chat/chat-page.js';
import { ServerBanner } from './server-banner.js';

export function App() {
  const [apiKey, setApiKey] = useState(loadApiKey);
  const health = useServerHealth();

  const commitKey = (value: string) => {
    saveApiKey(value);
    setApiKey(value);
  };

  return (
    <>
      <header class="top">
        <h1>Studio Playground</h1>
        <nav aria-label="Pages">
          <a href="./" aria-current="page">
            Chat
          </a>
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
        <ChatPage apiKey={apiKey} reconnections={health.reconnections} onUnreachable={health.reportUnreachable} />
      </main>
    </>
  );
}
