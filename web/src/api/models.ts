// The models Studio serves, as its OpenAI-compatible `GET /models` describes them (catalog limits and prices included).
import { studioFetch } from './studio-fetch.js';

export interface PriceTier {
  /** The tier holds prompts of up to this many tokens; `null`: any length. */
  readonly max_input_tokens: number | null;
  /** Per million tokens, in the price's currency. */
  readonly input: number;
  readonly output: number;
  readonly thinking_output: number;
}

export interface ModelPricing {
  readonly currency: string;
  readonly unit: string;
  readonly tiers: readonly PriceTier[];
}

export interface ModelCapabilities {
  /** Whether `enable_thinking` may be on. */
  readonly thinking: boolean;
  /** What a request that does not say gets; `null`: the model's chat template decides. */
  readonly thinking_default: 'on' | 'off' | null;
  /** Whether user messages may hold images. */
  readonly vision: boolean;
}

export interface StudioModel {
  readonly id: string;
  readonly aliases?: readonly string[];
  readonly context_length?: number;
  readonly max_output_tokens?: number | null;
  readonly pricing?: ModelPricing | null;
  readonly capabilities?: ModelCapabilities;
  readonly status?: string;
}

export async function listModels(key: string, signal?: AbortSignal): Promise<StudioModel[]> {
  const response = await studioFetch('compatible-mode/v1/models', key, signal === undefined ? {} : { signal });
  const body = (await response.json()) as { data?: StudioModel[] };
  return body.data ?? [];
}
