import Link from 'next/link';
import { PageHeader } from '@/components/shell/app-shell';
import { requireTenant } from '@/lib/auth';
import { listApiKeys } from '@/lib/services/api-keys';
import { ApiKeysManager } from './api-keys-manager';

export const metadata = { title: 'API keys' };

export default async function ApiKeysPage() {
  const { viewer, tenant } = await requireTenant();
  const keys = await listApiKeys(tenant);
  return (
    <>
      <PageHeader
        title="API keys"
        description={
          <>
            Keys for the HTTP API of {viewer.accountName}. Reference:{' '}
            <Link className="text-primary hover:underline" href="/api/v1/openapi.json">
              OpenAPI document
            </Link>
            .
          </>
        }
      />
      <ApiKeysManager
        keys={keys.map((k) => ({
          id: k.id,
          name: k.name,
          prefix: k.prefix,
          createdAt: k.createdAt.toISOString(),
          lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
          revokedAt: k.revokedAt?.toISOString() ?? null,
        }))}
      />
    </>
  );
}
