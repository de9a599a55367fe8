// The usage page's first range: the current UTC month up to today, as the usage API takes it by default.
export function monthToDate(now: Date): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  return { from: `${to.slice(0, 7)}-01`, to };
}
