import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/** The suite against containers started by testcontainers (`make test-containers`). */
export default defineConfig({
  ...base,
  test: { ...base.test, globalSetup: ['test/containers/global-setup.ts'] },
});
