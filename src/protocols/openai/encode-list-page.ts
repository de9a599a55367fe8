// One page of an OpenAI-compatible list (files, batches): its items, the ids at either end, and whether more follow.
export function encodeListPage<T extends { readonly id: string }>(items: readonly T[], hasMore: boolean, encode: (item: T) => object): object {
  return { object: 'list', data: items.map(encode), first_id: items[0]?.id ?? null, last_id: items[items.length - 1]?.id ?? null, has_more: hasMore };
}
