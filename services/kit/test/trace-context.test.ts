import { Metadata } from '@grpc/grpc-js';
import { ROOT_CONTEXT, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { extractTraceContext, injectTraceContext } from '../src/index.js';

describe('trace context in gRPC metadata', () => {
  const spans = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }).getTracer('test');

  beforeAll(() => propagation.setGlobalPropagator(new W3CTraceContextPropagator()));
  afterAll(() => propagation.disable());

  it('carries the caller span as the remote parent of the callee span', () => {
    const caller = tracer.startSpan('caller');
    const metadata = injectTraceContext(new Metadata(), trace.setSpan(ROOT_CONTEXT, caller));
    const { traceId, spanId } = caller.spanContext();
    expect(metadata.get('traceparent')).toEqual([`00-${traceId}-${spanId}-01`]);

    const parent = extractTraceContext(metadata, ROOT_CONTEXT);
    expect(trace.getSpanContext(parent)).toMatchObject({ traceId, spanId, isRemote: true });
    const callee = tracer.startSpan('callee', {}, parent);
    callee.end();
    caller.end();
    const finished = spans.getFinishedSpans().find((span) => span.name === 'callee')!;
    expect(finished.spanContext().traceId).toBe(traceId);
    expect(finished.parentSpanContext?.spanId).toBe(spanId);
  });

  it('leaves the context unchanged when the metadata names no span or a malformed one', () => {
    expect(trace.getSpanContext(extractTraceContext(new Metadata(), ROOT_CONTEXT))).toBeUndefined();
    const malformed = new Metadata();
    malformed.set('traceparent', '00-not-a-trace-01');
    malformed.set('other-bin', Buffer.from([1, 2, 3]));
    expect(trace.getSpanContext(extractTraceContext(malformed, ROOT_CONTEXT))).toBeUndefined();
  });

  it('writes nothing when there is no span to carry', () => {
    expect(injectTraceContext(new Metadata(), ROOT_CONTEXT).get('traceparent')).toEqual([]);
  });
});
