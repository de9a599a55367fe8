// The page the address names, kept in step with links and the browser's back and forward buttons.
import { useEffect, useState } from 'preact/hooks';

/** The path without the trailing slash, `/` for the root. */
function currentPath(): string {
  const path = window.location.pathname.replace(/\/+$/, '');
  return path === '' ? '/' : path;
}

export function navigate(path: string): void {
  if (path === currentPath()) return;
  window.history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const follow = () => setPath(currentPath());
    window.addEventListener('popstate', follow);
    return () => window.removeEventListener('popstate', follow);
  }, []);
  return path;
}
