import type { Metadata } from 'next';
import { connection } from 'next/server';
import { Toaster } from '@/components/ui/toast';
import { TooltipProvider } from '@/components/ui/tooltip';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Facet', template: '%s · Facet' },
  description: 'Persona sets for your customer base',
  // public/favicon.svg: one vector mark for tabs, bookmarks and home screens
  icons: { icon: { url: '/favicon.svg', type: 'image/svg+xml' } },
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // every page renders per request: its scripts carry that request's CSP nonce (proxy.ts); a page prerendered at
  // build time would have none, and the browser would refuse its scripts
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen antialiased">
        <TooltipProvider delayDuration={200}>{children}</TooltipProvider>
        <Toaster />
      </body>
    </html>
  );
}
