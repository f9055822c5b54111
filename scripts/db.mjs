#!/usr/bin/env zx
// Start the registry's PostgreSQL (docker-compose.yml) and wait until it answers.
// Usage: npx zx scripts/db.mjs, then
//   export DUCKFEAT_REGISTRY_URL=postgresql://feast:feast@localhost:5433/feast_registry
import { $, chalk, sleep } from 'zx';
import { root, step } from './lib.mjs';

await step('db', async () => {
  await $({ cwd: root, stdio: 'inherit' })`docker compose up -d`;
  for (let attempt = 0; attempt < 60; attempt++) {
    const probe = await $({
      cwd: root,
      nothrow: true,
      quiet: true,
    })`docker compose exec -T registry pg_isready -U feast -d feast_registry`;
    if (probe.exitCode === 0) {
      console.log(chalk.green('PostgreSQL is ready on localhost:5433 (database feast_registry).'));
      console.log(
        'export DUCKFEAT_REGISTRY_URL=postgresql://feast:***@localhost:5433/feast_registry',
      );
      return;
    }
    await sleep(1000);
  }
  throw new Error(
    'PostgreSQL did not become ready within 60 s (see `docker compose logs registry`)',
  );
});
