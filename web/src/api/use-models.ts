// The model list from `/models`, fetched again when the key changes or the server comes back.
import { useEffect, useState } from 'preact/hooks';
import { listModels, type StudioModel } from './models.js';
import { RequestFailed } from './studio-fetch.js';

export interface ModelList {
  readonly models: readonly StudioModel[];
  /** Why the list could not be fetched, in words. */
  readonly error: string | undefined;
}

export function useModels(apiKey: string, reconnections: number, onUnreachable: () => void): ModelList {
  const [list, setList] = useState<ModelList>({ models: [], error: undefined });
  useEffect(() => {
    const request = new AbortController();
    listModels(apiKey, request.signal).then(
      (models) => setList({ models, error: undefined }),
      (error: unknown) => {
        if (request.signal.aborted) return;
        setList((now) => ({ ...now, error: error instanceof Error ? error.message : String(error) }));
        if (error instanceof RequestFailed && error.status === undefined) onUnreachable();
      },
    );
    return () => request.abort();
  }, [apiKey, reconnections, onUnreachable]);
  return list;
}
