// Where the whole-system tests find their parts and put their artifacts.

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const e2eDir = resolve(here, '..');
export const artifactsDir = join(e2eDir, 'artifacts');
export const frontendDist = resolve(e2eDir, '..', 'frontend', 'dist');
