// Builds grammars from JSON schemas: the schema→GBNF conversion runs in a worker thread, and recent grammars are kept.
import { Worker } from 'node:worker_threads';
import { LlamaText, type GbnfJsonSchema, type Llama, type LlamaGrammar } from 'node-llama-cpp';
import { literalTrieGrammar } from './literal-trie-grammar.js';

/**
 * node-llama-cpp's own converter, which its package exports do not name; the version is pinned, so the
 * file is where this says. Loading it by URL keeps the grammar exactly what `createGrammarForJsonSchema` makes.
 */
const CONVERTER_URL = new URL('utils/gbnfJson/getGbnfGrammarForGbnfJsonSchema.js', import.meta.resolve('node-llama-cpp')).href;

/** Plain JavaScript, so the worker runs the same from the sources and from the build. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData).then(({ getGbnfGrammarForGbnfJsonSchema }) => {
  parentPort.on('message', ({ id, schema }) => {
    try {
      parentPort.postMessage({ id, grammar: getGbnfGrammarForGbnfJsonSchema(schema) });
    } catch (error) {
      parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
    }
  });
});
`;

interface Reply {
  readonly id: number;
  readonly grammar?: string;
  readonly error?: string;
}

interface Waiter {
  readonly resolve: (grammar: string) => void;
  readonly reject: (error: Error) => void;
}

export class GrammarBuilder {
  readonly #llama: Llama;
  readonly #capacity: number;
  /** By the schema's JSON, least recently used first. */
  readonly #grammars = new Map<string, Promise<LlamaGrammar>>();
  readonly #waiters = new Map<number, Waiter>();
  #worker: Worker | undefined;
  #nextId = 0;

  constructor(llama: Llama, capacity: number) {
    this.#llama = llama;
    this.#capacity = capacity;
  }

  /** The grammar of a schema; a repeated schema costs nothing. Rejects with the converter's or the parser's error. */
  forSchema(schema: GbnfJsonSchema): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema);
    let grammar = this.#grammars.get(key);
    if (grammar !== undefined) {
      this.#grammars.delete(key);
    } else {
      grammar = this.#build(schema);
      const built = grammar;
      // A schema that failed is tried afresh next time.
      built.catch(() => {
        if (this.#grammars.get(key) === built) this.#grammars.delete(key);
      });
      const oldest = this.#grammars.keys().next();
      if (this.#grammars.size >= this.#capacity && oldest.done !== true) this.#grammars.delete(oldest.value);
    }
    this.#grammars.set(key, grammar);
    return grammar;
  }

  async #build(schema: GbnfJsonSchema): Promise<LlamaGrammar> {
    const text = literalTrieGrammar(await this.#convert(schema));
    // As node-llama-cpp's own JSON-schema grammars are made.
    return await this.#llama.createGrammar({ grammar: text, stopGenerationTriggers: [LlamaText(['\n'.repeat(4)])], trimWhitespaceSuffix: true });
  }

  #convert(schema: GbnfJsonSchema): Promise<string> {
    const id = this.#nextId++;
    return new Promise<string>((resolve, reject) => {
      this.#waiters.set(id, { resolve, reject });
      this.#startedWorker().postMessage({ id, schema });
    });
  }

  #startedWorker(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: CONVERTER_URL });
    // An idle worker does not keep the process alive.
    worker.unref();
    worker.on('message', ({ id, grammar, error }: Reply) => {
      const waiter = this.#waiters.get(id);
      this.#waiters.delete(id);
      if (grammar !== undefined) waiter?.resolve(grammar);
      else waiter?.reject(new Error(error ?? 'the grammar could not be built'));
    });
    const fail = (error: Error): void => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const waiter of this.#waiters.values()) waiter.reject(error);
      this.#waiters.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the grammar worker exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  async dispose(): Promise<void> {
    this.#grammars.clear();
    await this.#worker?.terminate();
  }
}
