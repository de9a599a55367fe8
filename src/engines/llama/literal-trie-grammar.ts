// Rewrites GBNF choices among literals (an enum, a oneOf of consts) as tries of them, which llama.cpp samples cheaply.

/*
 * While a choice of N literals is open, llama.cpp tracks one parse stack per literal and checks each
 * against the whole vocabulary on every sampled token: an enum of 128 values sharing a prefix made a
 * batch's step 20 times slower (bench/grammar-cost.ts). As a trie the literals share their prefixes,
 * so only the branches at the current character are tracked. Both forms admit exactly the same text.
 */

const LITERAL_SOURCE = String.raw`"(?:[^"\\]|\\.)*"`;
const CHOICE_SOURCE = String.raw`(?:${LITERAL_SOURCE}|[\w-]+)`;
/** Quoted literals and character classes are matched whole, so a parenthesis inside one is never taken for a group. */
const GROUP = new RegExp(String.raw`${LITERAL_SOURCE}|\[(?:[^\]\\]|\\.)*\]|\( (${CHOICE_SOURCE}(?: \| ${CHOICE_SOURCE})+) \)`, 'g');
const RULE = /^(\S+) ::= (.*)$/;
const LITERAL = new RegExp(`^${LITERAL_SOURCE}$`);
/** One character of a literal's body as GBNF writes it: an escape or a code point. */
const UNIT = /\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}|\\.|[\s\S]/gu;
/** Fewer literals than this are cheap as they are. */
const MIN_LITERALS = 4;

interface TrieNode {
  end: boolean;
  readonly children: Map<string, TrieNode>;
}

function insert(root: TrieNode, literal: string): void {
  let node = root;
  for (const [unit] of literal.slice(1, -1).matchAll(UNIT)) {
    let child = node.children.get(unit);
    if (child === undefined) {
      child = { end: false, children: new Map() };
      node.children.set(unit, child);
    }
    node = child;
  }
  node.end = true;
}

/** The GBNF of what may follow `node`; runs without branches become one literal, so recursion is only as deep as the branching. */
function expression(node: TrieNode): string {
  const alternatives = [...node.children].map(([unit, child]) => {
    let text = unit;
    let next = child;
    while (!next.end && next.children.size === 1) {
      for (const [onlyUnit, onlyChild] of next.children) {
        text += onlyUnit;
        next = onlyChild;
      }
    }
    return next.children.size === 0 ? `"${text}"` : `"${text}" ${expression(next)}`;
  });
  if (alternatives.length === 1 && !node.end) return alternatives[0] ?? '';
  return `( ${alternatives.join(' | ')} )${node.end ? '?' : ''}`;
}

/** The grammar with every group that only chooses among literals (written out, or rules holding one) written as a trie. */
export function literalTrieGrammar(grammar: string): string {
  const lines = grammar.split('\n');
  const literals = new Map<string, string>();
  for (const line of lines) {
    const [, name, body] = RULE.exec(line) ?? [];
    if (name !== undefined && body !== undefined && LITERAL.test(body)) literals.set(name, body);
  }
  const rewrite = (group: string, choices: string | undefined): string => {
    const texts = choices?.split(' | ').map((choice) => (LITERAL.test(choice) ? choice : literals.get(choice)));
    // A literal holding " | " splits wrongly and is then no literal: the group stays as it was.
    if (texts === undefined || texts.length < MIN_LITERALS || texts.some((text) => text === undefined || text === '""')) return group;
    const root: TrieNode = { end: false, children: new Map() };
    for (const text of texts) insert(root, text ?? '');
    return `( ${expression(root)} )`;
  };
  return lines
    .map((line) => {
      const [, name, body] = RULE.exec(line) ?? [];
      return name === undefined || body === undefined ? line : `${name} ::= ${body.replace(GROUP, rewrite)}`;
    })
    .join('\n');
}
