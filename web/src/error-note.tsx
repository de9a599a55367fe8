// A page's or a form's error in words, announced to screen readers as it appears; nothing while there is none.
export function ErrorNote({ message }: { readonly message: string | undefined }) {
  if (message === undefined) return null;
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}
