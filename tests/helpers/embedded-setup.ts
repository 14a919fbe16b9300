// vitest globalSetup: one embedded PostgreSQL server for the whole run (in a temporary folder), with a
// migrated template database that each test database is copied from (tests/helpers/db.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedTestServer } from './embedded';

declare module 'vitest' {
  export interface ProvidedContext {
    /** maintenance URL of the run's embedded server (CREATE DATABASE … TEMPLATE) */
    facetEmbeddedAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facet-test-pg-'));
  const server = await startEmbeddedTestServer(dataDir);
  project.provide('facetEmbeddedAdminUrl', server.adminUrl);
  return async () => {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
