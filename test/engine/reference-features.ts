/**
 * DESIGN.md's feature and label definitions written a second time, in plain TypeScript
 * over transaction rows (no SQL), to check the SQL files against.
 */
export interface TxRow {
  customer_id: number;
  invoice_no: string;
  stock_code: string;
  quantity: number;
  /** invoice_date as epoch microseconds. */
  t: number;
  revenue: number;
  is_cancellation: boolean;
}

export interface ReferenceRow {
  customer_id: number;
  cutoff: string;
  recency_days: number;
  frequency: number;
  monetary: number;
  tenure_days: number;
  avg_order_value: number;
  avg_basket_size: number;
  n_unique_products: number;
  return_rate: number;
  avg_days_between_purchases: number;
  purchased: number;
}

const DAY = 86_400_000_000;
const days = (from: number, to: number) => Math.floor((to - from) / DAY);

/** Features and labels for every customer in each cutoff's population (90/30-day windows). */
export function referenceFeatures(rows: TxRow[], cutoffs: string[]): ReferenceRow[] {
  const byCustomer = new Map<number, TxRow[]>();
  for (const r of rows)
    byCustomer.set(r.customer_id, [...(byCustomer.get(r.customer_id) ?? []), r]);
  const out: ReferenceRow[] = [];
  for (const cutoff of cutoffs) {
    const c = Date.parse(`${cutoff.replace(' ', 'T')}Z`) * 1000;
    const start = c - 90 * DAY;
    for (const [customer, all] of byCustomer) {
      const inWindow = all.filter((r) => r.t >= start && r.t < c);
      const bought = inWindow.filter((r) => !r.is_cancellation);
      if (bought.length === 0) continue;
      const invoices = new Map<string, { first: number; revenue: number; quantity: number }>();
      for (const r of bought) {
        const inv = invoices.get(r.invoice_no) ?? { first: r.t, revenue: 0, quantity: 0 };
        inv.first = Math.min(inv.first, r.t);
        inv.revenue += r.revenue;
        inv.quantity += r.quantity;
        invoices.set(r.invoice_no, inv);
      }
      const ordered = [...invoices.entries()].sort(
        (a, b) => a[1].first - b[1].first || (a[0] < b[0] ? -1 : 1),
      );
      const gaps = ordered.slice(1).map(([, inv], i) => days(ordered[i]![1].first, inv.first));
      const allInvoices = new Set(inWindow.map((r) => r.invoice_no));
      const cancelled = new Set(inWindow.filter((r) => r.is_cancellation).map((r) => r.invoice_no));
      const history = all.filter((r) => !r.is_cancellation && r.t < c);
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      out.push({
        customer_id: customer,
        cutoff,
        recency_days: days(Math.max(...bought.map((r) => r.t)), c),
        frequency: invoices.size,
        monetary: sum(bought.map((r) => r.revenue)),
        tenure_days: days(Math.min(...history.map((r) => r.t)), c),
        avg_order_value: sum(ordered.map(([, i]) => i.revenue)) / invoices.size,
        avg_basket_size: sum(ordered.map(([, i]) => i.quantity)) / invoices.size,
        n_unique_products: new Set(bought.map((r) => r.stock_code)).size,
        return_rate: cancelled.size / allInvoices.size,
        avg_days_between_purchases: gaps.length === 0 ? 0 : sum(gaps) / gaps.length,
        purchased: all.some((r) => !r.is_cancellation && r.t >= c && r.t < c + 30 * DAY) ? 1 : 0,
      });
    }
  }
  return out;
}
