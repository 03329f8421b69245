import { isFunction } from '../natives.js';
import { proxyCheck } from '../serialize/proxy-check.js';

/**
 * @internal A gRPC server call as grpc-js hands it to a unary or client-streaming method, `(call, callback)`: the callback sends
 * the response. Its own methods, not a class (a second copy of grpc-js has a class of its own); a Proxy is never read.
 */
export function isGrpcServerCall(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || proxyCheck.isProxy(value)) return false;
  const call = value as Partial<GrpcServerCall>;
  return isFunction(call.sendMetadata) && isFunction(call.getPeer) && isFunction(call.getDeadline);
}

/** @internal What {@link isGrpcServerCall} reads of a call, and its `cancelled` event. */
export interface GrpcServerCall {
  sendMetadata: unknown;
  getPeer: unknown;
  getDeadline: unknown;
  once?(event: 'cancelled', listener: () => void): unknown;
}
