import { z } from 'zod';

export const signInSchema = z.object({
  email: z.string().trim().email('Enter a valid email address'),
  password: z.string().min(1, 'Enter your password'),
});

export const signUpSchema = z.object({
  name: z.string().trim().min(1, 'Enter your name').max(100, 'Use at most 100 characters'),
  email: z.string().trim().email('Enter a valid email address'),
  password: z
    .string()
    .min(8, 'Use at least 8 characters')
    .max(128, 'Use at most 128 characters'),
});

export const verifyEmailSchema = z.object({
  token: z.string().min(1).max(4096),
});

/** The answer to every sign-up that passes validation, whether or not the address already has an account. */
export const signUpNotice = (email: string) =>
  `Check your inbox at ${email}: the link there confirms the address and signs you in. If the address already has an account, the message says so instead.`;
