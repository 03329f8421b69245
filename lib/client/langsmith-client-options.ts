/**
 * @internal The options of langsmith's `Client` that a client of tracewire
 * does not take, and what does their work here: a refusal that says how to
 * move over (as `traceable`'s do for its options). Where the exporter holds
 * the setting, the refusal says so.
 */
export const LANGSMITH_CLIENT_INSTEAD: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries({
    apiUrl: "the exporter's endpoint: new LangSmithExporter({ endpoint }), or LANGSMITH_ENDPOINT",
    apiKey: "the exporter's apiKey: new LangSmithExporter({ apiKey }), or LANGSMITH_API_KEY",
    workspaceId: "the exporter's workspaceId: new LangSmithExporter({ workspaceId }), or LANGSMITH_WORKSPACE_ID",
    hideInputs: 'redact: { inputs } (a function of the inputs), or LANGSMITH_HIDE_INPUTS=true',
    hideOutputs: 'redact: { outputs } (a function of the outputs), or LANGSMITH_HIDE_OUTPUTS=true',
    hideMetadata: 'redact: { metadata } (a function of the metadata), or LANGSMITH_HIDE_METADATA=true',
    anonymizer: 'redact: { inputs, outputs, metadata }',
    tracingSamplingRate: 'sampleRate',
    blockOnRootRunFinalization: "mode: 'blocking', or LANGSMITH_TRACING_BACKGROUND=false",
    autoBatchTracing: 'nothing: tracewire always batches (maxBatchSize, maxBatchBytes, flushIntervalMillis)',
    batchSizeBytesLimit: 'maxBatchBytes',
    timeout_ms: 'exportTimeoutMillis',
  }).map(([key, use]) => [key, `langsmith's Client option ${key} is not taken; use ${use}`]),
);
