import { redirect } from 'next/navigation';
import { getViewer } from '@/lib/auth';
import { signUpAction } from '../actions';
import { AuthForm } from '../auth-form';

export const metadata = { title: 'Create an account' };

export default async function SignUpPage() {
  if (await getViewer()) redirect('/persona-sets');
  return (
    <AuthForm
      mode="sign-up"
      action={signUpAction}
      fields={[
        { name: 'name', label: 'Your name', type: 'text', autoComplete: 'name' },
        { name: 'email', label: 'Work email', type: 'email', autoComplete: 'email' },
        { name: 'password', label: 'Password (8 characters or more)', type: 'password', autoComplete: 'new-password' },
      ]}
    />
  );
}
