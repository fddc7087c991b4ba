/** The credit-restriction file's columns (issue 14). Its own module: the CLI names them at start, without loading the validator (zod). */
export const CREDIT_COLUMNS = ['recipient_uscc', 'list_name', 'restricted_from', 'restricted_to', 'reference'] as const;
