#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader (installed by `npm ci`), so there is no build step.
import { register } from 'tsx/esm/api';

register();
await import('../main.ts');
