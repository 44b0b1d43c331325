import { defineConfig } from 'vitest/config';

// Unit tests of the pure front-end modules (js/lab/{api,model,poller,view}.ts, js/widgets/*.ts).
// DOM tests opt into jsdom with a `// @vitest-environment jsdom` comment.
export default defineConfig({
  test: {
    include: ['js/test/**/*.test.ts'],
    environment: 'node',
    // A suite that finds no test must fail (CI treats "no tests" as a failure).
    passWithNoTests: false
  }
});
