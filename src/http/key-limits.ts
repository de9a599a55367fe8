// A stored key's own limits on its generations: the models it may use, its budget, and its rate limits at admission.
import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { GenerateOptions, ModelInfo } from '../core/engine.js';
import { PermissionDeniedError, QuotaExceededError } from '../core/errors.js';
import type { Usage } from '../core/generation-event.js';
import type { Admission, RateLimiter } from '../core/rate-limiter.js';
import type { BudgetPeriod, KeyLimits, UsageReader } from '../core/store.js';
import type { AppEnv } from './app-env.js';
import { rateLimitHeaders } from './rate-limit-headers.js';

export interface KeyLimitsOptions {
  /** What keys spent, read from the ledger's daily totals; without it budgets are not enforced. */
  readonly usage?: Pick<UsageReader, 'spend'>;
  /** Without it rpm, tpm and concurrency are not enforced. */
  readonly limiter?: RateLimiter;
  /** The served models, so a key allowed a model may use it by any of its names. */
  readonly models: () => readonly ModelInfo[];
  readonly logger: Logger;
  /** How long a key's spend is reused before the store is asked again. */
  readonly spendTtlMs?: number;
}

/** One generation under a key's limits: admitted by the engine once its prompt is counted, settled when it ends. */
export interface GenerationGate {
  readonly admit: NonNullable<GenerateOptions['admit']>;
  /** Never rejects: a failure is logged. */
  settle(usage: Usage | undefined): Promise<void>;
}

/** Checks the model and the budget, and returns the gate the generation goes through. */
export type KeyGate = (model: string) => Promise<GenerationGate>;

const DEFAULT_SPEND_TTL_MS = 2000;
/** Past this many keys cached, stale entries are dropped. */
const MAX_CACHED_SPENDS = 10_000;

/** When the budget period that holds `now` began, in UTC; weeks begin on Monday. */
export function periodStart(period: BudgetPeriod, now: Date): Date {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  if (period === 'month') return new Date(Date.UTC(year, month, 1));
  const day = now.getUTCDate() - (period === 'week' ? (now.getUTCDay() + 6) % 7 : 0);
  return new Date(Date.UTC(year, month, day));
}

function nextPeriodStart(period: BudgetPeriod, start: Date): Date {
  const next = new Date(start);
  if (period === 'month') next.setUTCMonth(next.getUTCMonth() + 1);
  else next.setUTCDate(next.getUTCDate() + (period === 'week' ? 7 : 1));
  return next;
}

function hasRateLimits(limits: KeyLimits): boolean {
  return limits.rpm !== undefined || limits.tpm !== undefined || limits.concurrency !== undefined;
}

/** Whether the key has anything for this middleware to enforce. */
export function hasKeyLimits(limits: KeyLimits): boolean {
  return hasRateLimits(limits) || limits.budget !== undefined || limits.models !== undefined;
}

/**
 * Sets `keyGate` for a request whose principal is a stored key with limits; the generation routes
 * call it once the request is decoded. A request of any other principal costs nothing here.
 */
export function keyLimits(options: KeyLimitsOptions): MiddlewareHandler<AppEnv> {
  const ttlMs = options.spendTtlMs ?? DEFAULT_SPEND_TTL_MS;
  const spends = new Map<string, { readonly since: number; readonly at: number; readonly spent: Promise<number> }>();

  /** Many requests of one key share one read of its spend for `ttlMs`. */
  function spentSince(keyId: string, since: Date, usage: Pick<UsageReader, 'spend'>): Promise<number> {
    const now = performance.now();
    const cached = spends.get(keyId);
    if (cached !== undefined && cached.since === since.getTime() && now - cached.at < ttlMs) return cached.spent;
    if (spends.size >= MAX_CACHED_SPENDS) for (const [id, entry] of spends) if (now - entry.at >= ttlMs) spends.delete(id);
    const spent = usage.spend(keyId, since);
    spends.set(keyId, { since: since.getTime(), at: now, spent });
    // A failed read is not kept: the next request asks again.
    spent.catch(() => spends.get(keyId)?.spent === spent && spends.delete(keyId));
    return spent;
  }

  function checkModel(model: string, served: ModelInfo | undefined, allowed: readonly string[]): void {
    const names = served === undefined ? [model] : [served.id, ...(served.aliases ?? [])];
    if (!names.some((name) => allowed.includes(name))) throw new PermissionDeniedError(`This API key may not use the model \`${model}\`.`);
  }

  async function checkBudget(keyId: string, budget: NonNullable<KeyLimits['budget']>, currency: string | undefined): Promise<void> {
    if (options.usage === undefined) return;
    const since = periodStart(budget.period, new Date());
    const spent = await spentSince(keyId, since, options.usage);
    if (spent < budget.amount) return;
    throw new QuotaExceededError(
      `This API key's budget of ${budget.amount}${currency === undefined ? '' : ` ${currency}`} per ${budget.period} is spent; it renews at ${nextPeriodStart(budget.period, since).toISOString()}.`,
    );
  }

  function gate(c: Context<AppEnv>, keyId: string, limits: KeyLimits): GenerationGate {
    const limiter = hasRateLimits(limits) ? options.limiter : undefined;
    let admission: Admission | undefined;
    let reserved = { inputTokens: 0, maxTokens: 0 };
    return {
      admit: async (prompt) => {
        if (limiter === undefined) return;
        admission = await limiter.admit(keyId, limits, prompt.inputTokens + prompt.maxTokens);
        reserved = prompt;
        // Admission comes before the first response byte, so even a stream carries these.
        for (const [name, value] of Object.entries(rateLimitHeaders(admission))) c.header(name, value);
      },
      settle: async (usage) => {
        try {
          // A count the engine could not give keeps what was reserved for it.
          await admission?.settle((usage?.inputTokens ?? reserved.inputTokens) + (usage?.outputTokens ?? reserved.maxTokens));
        } catch (error) {
          options.logger.error({ requestId: c.get('requestId'), err: error }, 'settling a rate limit failed');
        }
      },
    };
  }

  return async (c, next) => {
    const { keyId, limits } = c.get('principal');
    if (keyId !== undefined && hasKeyLimits(limits)) {
      c.set('keyGate', async (model) => {
        const served = options.models().find(({ id, aliases }) => id === model || aliases?.includes(model));
        if (limits.models !== undefined) checkModel(model, served, limits.models);
        if (limits.budget !== undefined) await checkBudget(keyId, limits.budget, served?.price?.currency);
        return gate(c, keyId, limits);
      });
    }
    await next();
  };
}
