// Who a request acts for, as authentication found it: every later step (limits, ledger, usage) reads this.
import type { KeyLimits } from './store.js';

export interface Principal {
  /** `anonymous` only where no key is configured anywhere (loopback without auth). */
  readonly kind: 'anonymous' | 'static-key' | 'stored-key' | 'admin';
  /** Stored keys only. */
  readonly keyId?: string;
  readonly keyName?: string;
  /** `{}` for anonymous, static and admin principals. */
  readonly limits: KeyLimits;
}

export const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous', limits: Object.freeze({}) });
