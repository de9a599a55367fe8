// Finds the tokens of a byte-level BPE vocabulary that are not whole UTF-8 characters on their own.
import { readGgufFileInfo } from 'node-llama-cpp';

/** `GgufMetadataTokenizerTokenType.normal`: node-llama-cpp declares that enum `const`, which isolated modules cannot read. */
const NORMAL_TOKEN = 1;

/** GPT-2's byte-level alphabet stores each byte as one printable character; this maps them back. */
function byteLevelDecoder(): Map<string, number> {
  const range = (from: string, to: string): number[] =>
    Array.from({ length: to.charCodeAt(0) - from.charCodeAt(0) + 1 }, (_, offset) => from.charCodeAt(0) + offset);
  const printable = new Set([...range('!', '~'), ...range('¡', '¬'), ...range('®', 'ÿ')]);
  const decoder = new Map<string, number>();
  let shifted = 0;
  for (let byte = 0; byte < 256; byte++) decoder.set(String.fromCharCode(printable.has(byte) ? byte : 256 + shifted++), byte);
  return decoder;
}

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * The ids of the model's normal tokens whose bytes are not valid UTF-8 by themselves (pieces of multi-byte characters).
 * A model that never picks them can only produce valid UTF-8, since valid pieces concatenate to valid text.
 */
export async function utf8FragmentTokens(modelPath: string): Promise<number[]> {
  const { tokens, token_type: types } = (await readGgufFileInfo(modelPath, { readTensorInfo: false })).metadata.tokenizer.ggml;
  const decoder = byteLevelDecoder();
  const fragments: number[] = [];
  tokens.forEach((token, id) => {
    const bytes = [...token].map((character) => decoder.get(character) ?? -1);
    if (types[id] === NORMAL_TOKEN && !bytes.includes(-1) && !isValidUtf8(Uint8Array.from(bytes))) fragments.push(id);
  });
  return fragments;
}
