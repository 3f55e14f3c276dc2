/**
 * The start of every form parser: the body as a record, each named field as the string the
 * person typed ('' when absent), and an error for any field sent more than once.
 */
export function readFormFields<F extends string>(body: unknown, fields: readonly F[]): { form: Record<string, unknown>; typed: Record<F, string>; errors: Partial<Record<F, string>> } {
  const form = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const errors: Partial<Record<F, string>> = {};
  const typed = {} as Record<F, string>;
  for (const f of fields) {
    const v = form[f];
    if (Array.isArray(v)) errors[f] = 'This field was sent more than once.';
    typed[f] = typeof v === 'string' ? v : '';
  }
  return { form, typed, errors };
}
