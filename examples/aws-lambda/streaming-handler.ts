/**
 * An AWS Lambda handler with response streaming (`awslambda.streamifyResponse`,
 * a global of Lambda's Node runtime): each token goes to the client as the
 * model makes it, and the response is complete when the stream ends. The
 * handler's promise settles after that, once @FlushOnExit has delivered the
 * invocation's spans: Lambda freezes the sandbox only when the runtime asks
 * for the next event, after the handler settled, so the client never waits
 * for tracing.
 * Point it anywhere LangSmith-compatible with LANGSMITH_ENDPOINT / LANGSMITH_API_KEY.
 */
import 'reflect-metadata';
import { FlushOnExit, LangSmithExporter, Traceable, configureTracing } from 'tracewire';

configureTracing({ exporter: new LangSmithExporter(), projectName: 'lambda-streaming-example' });

/** What Lambda's runtime hands a streaming handler (a Node Writable). */
interface ResponseStream {
  write(chunk: string): boolean;
  end(): void;
}
declare const awslambda: {
  streamifyResponse<E>(handler: (event: E, responseStream: ResponseStream, context: unknown) => Promise<void>): unknown;
};

interface PromptEvent {
  prompt: string;
}

class Model {
  /** A stand-in for a streaming LLM call: one token at a time. */
  @Traceable({ runType: 'llm' })
  async *complete(prompt: string): AsyncGenerator<string> {
    for (const token of prompt.split(' ')) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      yield token;
    }
  }
}

class StreamingHandler {
  private readonly model = new Model();

  // Arity 3, as Lambda calls a streaming handler: (event, responseStream, context).
  @FlushOnExit({ timeoutMillis: 2_000 })
  async handle(event: PromptEvent, responseStream: ResponseStream, _context: unknown): Promise<void> {
    await this.answer(event.prompt, (token) => responseStream.write(`${token} `));
    responseStream.end();
  }

  @Traceable({ name: 'answer', runType: 'chain' })
  private async answer(prompt: string, write: (token: string) => void): Promise<number> {
    let tokens = 0;
    for await (const token of this.model.complete(prompt)) {
      write(token);
      tokens++;
    }
    return tokens;
  }
}

const streaming = new StreamingHandler();
export const handler = awslambda.streamifyResponse<PromptEvent>((event, responseStream, context) => streaming.handle(event, responseStream, context));
