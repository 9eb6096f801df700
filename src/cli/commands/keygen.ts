/**
 * `release-hall keygen`: a new approver key. The private key goes to a file only its owner may read;
 * the public key, for the hall file's `approvals.approvers[].publicKey`, is printed.
 */
import { writeFile } from 'node:fs/promises';
import { generateApproverKey } from 'release-hall';

export async function keygenCommand(flags: { out: string; force?: boolean }): Promise<number> {
  const { privateKeyPem, publicKey } = generateApproverKey();
  try {
    // `wx`: an existing key is never overwritten unless asked; mode 600: the owner only.
    await writeFile(flags.out, privateKeyPem, { mode: 0o600, flag: flags.force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      process.stderr.write(`error: ${flags.out} exists: keep it, or give --force to replace it\n`);
      return 2;
    }
    throw error;
  }
  process.stdout.write(
    `private key written to ${flags.out} (mode 600; keep it with the approver only)\npublicKey: ${publicKey}\n`,
  );
  return 0;
}
