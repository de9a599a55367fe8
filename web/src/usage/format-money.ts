// Money as the ledger keeps it (exact to a millionth), written without trailing zeros but with at least cents.
const money = new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 6 });

export function formatMoney(amount: number, currency: string | null | undefined): string {
  return currency == null ? money.format(amount) : `${money.format(amount)} ${currency}`;
}
