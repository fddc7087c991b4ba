/** The CLI bundle's path when it exists and no source it was built from is newer; else undefined. */
export function freshBundle(root: string): string | undefined;
