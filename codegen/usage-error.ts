/** A mistake on the command line or in the project set-up; the CLI prints its message and exits 2. */
export class CodegenUsageError extends Error {
  override readonly name = 'CodegenUsageError';
}
