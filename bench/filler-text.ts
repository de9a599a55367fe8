// Deterministic English-like filler text for prompts of a chosen length (common words are about one token each).

const WORDS = (
  'the of and to in is was for on that with as by at from his her they this had not are but which one you were all ' +
  'she there would their we him been has when who will more no if out so said what up its about into than them can ' +
  'only other new some could time these two may then first any like now my such our over man even most made after ' +
  'also did many before must through back years where much your way well down should because each just those people'
).split(' ');

/** A 32-bit hash of `text`, to seed the generator. */
function hash(text: string): number {
  let value = 2166136261;
  for (let index = 0; index < text.length; index++) value = Math.imul(value ^ text.charCodeAt(index), 16777619);
  return value >>> 0;
}

/** `words` words chosen by a generator seeded with `seed`: the same seed gives the same text. */
export function fillerText(seed: string, words: number): string {
  let state = hash(seed);
  const chosen: string[] = [];
  for (let index = 0; index < words; index++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    chosen.push(WORDS[(state >>> 16) % WORDS.length] ?? 'the');
  }
  return chosen.join(' ');
}
