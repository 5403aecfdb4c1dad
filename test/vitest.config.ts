import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Database tests wait on real I/O; a starved 2-core CI machine needs head room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
