import { verifyEmailAction } from '../actions';
import { VerifyEmailForm } from './verify-email-form';

export const metadata = { title: 'Confirm your email address' };

// The link in the confirmation email opens this page; the address is confirmed only when the person presses the
// button (a POST), so a mail scanner that fetches links confirms nothing.
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  return <VerifyEmailForm token={typeof token === 'string' ? token : ''} action={verifyEmailAction} />;
}
