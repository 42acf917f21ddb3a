// The portal's logout endpoint (the test watches the request and this answer).
export async function POST(request) {
  await request.text();
  return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
}
