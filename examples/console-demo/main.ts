/**
 * A small order service traced with decorators, printed as a span tree by
 * the console exporter. Run it with `npm run demo`.
 */
import 'reflect-metadata';
import { ConsoleExporter, Traceable, TracingClient, getCurrentSpan, setGlobalTracingClient, traceable } from 'tracewire';

interface Order {
  id: string;
  sku: string;
  quantity: number;
}

@Traceable({ runType: 'tool', tags: ['inventory'] })
class Inventory {
  private readonly stock = new Map([['apple', 10], ['pear', 1]]);

  async reserve(sku: string, quantity: number): Promise<boolean> {
    await pause(3);
    const available = this.stock.get(sku) ?? 0;
    if (available < quantity) throw new Error(`only ${available} ${sku} left`);
    this.stock.set(sku, available - quantity);
    return true;
  }

  *audit(): Generator<string> {
    for (const [sku, count] of this.stock) yield `${sku}=${count}`;
  }
}

const chargeCard = traceable(async function chargeCard(orderId: string, amountCents: number) {
  await pause(5);
  return { orderId, amountCents, receipt: `rcpt-${orderId}` };
}, { runType: 'tool', tags: ['payments'] });

class Orders {
  constructor(private readonly inventory = new Inventory()) {}

  @Traceable({ name: 'place-order', metadata: { service: 'orders' } })
  async place(order: Order): Promise<string> {
    getCurrentSpan()?.setMetadata('orderId', order.id);
    await this.inventory.reserve(order.sku, order.quantity);
    const [payment] = await Promise.all([chargeCard(order.id, order.quantity * 125), pause(1)]);
    return payment.receipt;
  }

  @Traceable({ name: 'handle-batch' })
  async handleBatch(orders: Order[]): Promise<string[]> {
    const settled = await Promise.allSettled(orders.map((order) => this.place(order)));
    [...this.inventory.audit()];
    return settled.map((result) => (result.status === 'fulfilled' ? result.value : `failed: ${String(result.reason.message)}`));
  }
}

async function main(): Promise<void> {
  const client = new TracingClient({ exporter: new ConsoleExporter({ showIO: true }), projectName: 'console-demo' });
  setGlobalTracingClient(client);
  const receipts = await new Orders().handleBatch([
    { id: 'o-1', sku: 'apple', quantity: 2 },
    { id: 'o-2', sku: 'pear', quantity: 3 },
  ]);
  await client.shutdown();
  const stats = client.stats();
  console.log(`\nreceipts: ${JSON.stringify(receipts)}`);
  console.log(`spans: ${stats.spansStarted} started, ${stats.delivered} delivered, ${stats.dropped.total} dropped`);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

void main();
