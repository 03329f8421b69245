/**
 * What `--decorator-options` may name, checked before it is written into
 * every decorator: the options `traceable` takes and the run types it accepts
 * (the SDK's lists, copied: the codemod is built apart from it; a test keeps
 * the copies equal). A misspelt option or run type would otherwise reach the
 * user's source, and fail only when their classes load.
 */
export const TRACE_OPTION_NAMES: readonly string[] = [
  'name', 'runType', 'run_type', 'tags', 'metadata', 'captureInputs', 'captureOutputs', 'processInputs', 'processOutputs',
  'client', 'projectName', 'project_name', 'enabled', 'tracingEnabled', 'id', 'onEnd', 'parent',
];

export const RUN_TYPE_NAMES: readonly string[] = ['chain', 'llm', 'tool', 'retriever', 'embedding', 'prompt', 'parser'];
