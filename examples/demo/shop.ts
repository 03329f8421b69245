/**
 * A small serverless-style order service: decorated service classes resolved
 * through tsyringe, and a handler that delivers its trace before it returns
 * (@FlushOnExit). The same code runs under every delivery strategy: only the
 * `TracingClient` configured around it changes.
 */
import 'reflect-metadata';
import { container, injectable } from 'tsyringe';
import { FlushOnExit, Traceable, getCurrentSpan } from 'tracewire';

/** One invocation's event, as a queue or an HTTP gateway would deliver it. */
export interface OrderEvent {
  orderId: string;
  items: string[];
  cardToken: string;
}

/** A tick of asynchronous work, without timer jitter (setTimeout rounds to ~1 ms). */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

@injectable()
@Traceable({ runType: 'tool', tags: ['inventory'] })
export class Inventory {
  async reserve(sku: string): Promise<string> {
    await tick();
    return `reserved:${sku}`;
  }
}

@injectable()
export class Payments {
  @Traceable({ runType: 'tool', tags: ['payments'] })
  async charge(orderId: string, cents: number, cardToken: string): Promise<{ receipt: string }> {
    await tick();
    // Every 50th card is declined, so the viewer has errors to show.
    if (cardToken.endsWith('0') && Number(orderId.slice(2)) % 50 === 0) throw new Error(`card declined for ${orderId}`);
    return { receipt: `rcpt-${orderId}-${cents}` };
  }
}

@injectable()
export class Orders {
  constructor(
    private readonly inventory: Inventory,
    private readonly payments: Payments,
  ) {}

  @Traceable({ name: 'place-order', metadata: { service: 'orders' } })
  async place(event: OrderEvent): Promise<{ receipt: string; reserved: string[] }> {
    getCurrentSpan()?.setMetadata('orderId', event.orderId);
    const reserved = await Promise.all(event.items.map((sku) => this.inventory.reserve(sku)));
    const { receipt } = await this.payments.charge(event.orderId, event.items.length * 125, event.cardToken);
    return { receipt, reserved };
  }
}

/** The function's entry point. */
export class OrderHandler {
  constructor(private readonly orders = container.resolve(Orders)) {}

  @FlushOnExit({ timeoutMillis: 2_000 })
  @Traceable({ name: 'order-handler', runType: 'chain' })
  async handle(event: OrderEvent): Promise<{ statusCode: number; body: string }> {
    try {
      return { statusCode: 200, body: JSON.stringify(await this.orders.place(event)) };
    } catch (error) {
      return { statusCode: 402, body: JSON.stringify({ error: (error as Error).message }) };
    }
  }
}
