import { generateKeyPairSigner, type TransactionSigner } from '@solana/kit';

/**
 * A fresh fee payer funded by the localnet's airdrop (`requestAirdrop`), once its balance shows at
 * `confirmed`: what a bench or a fault scenario pays its deposits with.
 */
export async function fundedSigner(
  rpcUrl: string,
  lamports: number,
  timeoutMs = 20_000,
): Promise<TransactionSigner> {
  const payer = await generateKeyPairSigner();
  const rpc = async (method: string, params: unknown[]) =>
    (await (
      await fetch(rpcUrl, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
    ).json()) as { result: unknown };
  await rpc('requestAirdrop', [payer.address, lamports]);
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = (await rpc('getBalance', [payer.address, { commitment: 'confirmed' }])) as {
      result: { value: number };
    };
    if (r.result.value > 0) return payer;
    if (Date.now() > end)
      throw new Error(`the airdrop to ${payer.address} did not confirm within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
