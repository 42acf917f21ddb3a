import AutoLogoff from './autologoff.jsx';

// The signed-in layout of a portal: autologoff starts once, in client-only code.
export default function Page() {
  return (
    <main>
      <h1>Signed-in area (Next.js)</h1>
      <AutoLogoff />
    </main>
  );
}
