/**
 * An AWS Lambda handler: the sandbox may be frozen the moment the handler's
 * promise settles, so @FlushOnExit makes delivery part of the handler.
 * Point it anywhere LangSmith-compatible with LANGSMITH_ENDPOINT / LANGSMITH_API_KEY.
 */
import 'reflect-metadata';
import { FlushOnExit, LangSmithExporter, Traceable, configureTracing } from 'tracewire';

configureTracing({ exporter: new LangSmithExporter(), projectName: 'lambda-example' });

interface OrderEvent {
  orderId: string;
  items: string[];
}

@Traceable({ runType: 'tool', tags: ['inventory'] })
class Inventory {
  async reserve(item: string): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 2));
    return `reserved:${item}`;
  }
}

class OrderHandler {
  private readonly inventory = new Inventory();

  @FlushOnExit({ timeoutMillis: 2_000 })
  @Traceable({ name: 'lambda-handler' })
  async handle(event: OrderEvent, _context: unknown): Promise<{ statusCode: number; body: string }> {
    const reservations = await Promise.all(event.items.map((item) => this.inventory.reserve(item)));
    return { statusCode: 200, body: JSON.stringify({ orderId: event.orderId, reservations }) };
  }
}

const orders = new OrderHandler();
// Arity 2, as Lambda expects: @FlushOnExit never raises a handler's length.
export const handler = (event: OrderEvent, context: unknown) => orders.handle(event, context);
