import Link from 'next/link';
import { Button } from '@/components/ui/button';

export default function PersonaSetNotFound() {
  return (
    <div className="mx-auto mt-16 max-w-md space-y-4 text-center">
      <h2 className="text-xl font-semibold">Persona set not found</h2>
      <p className="text-sm text-muted-foreground">It may have been deleted, or it belongs to another account.</p>
      <Button variant="outline" asChild>
        <Link href="/persona-sets">Back to persona sets</Link>
      </Button>
    </div>
  );
}
