// Bake from a registry reference: pulls it into the store (with every default of pull) and names the store image to bake.

import { Store } from '../store/store';
import { RegistryClient } from './client';
import { defaultClientOptions } from './options';
import { defaultLocalRef, pullImage } from './pull';
import { parseRegistryRef } from './reference';

/** Pulls `text` (HOST/REPO:TAG|@DIGEST) into the store at `storeDir`; returns the NAME:VERSION it got there. */
export async function pullForBake(text: string, storeDir: string, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const source = parseRegistryRef(text);
  const local = defaultLocalRef(source);
  const client = new RegistryClient(await defaultClientOptions(env, source, false));
  try {
    await pullImage(() => Store.open(storeDir, { create: true }), source, local, client);
  } finally {
    client.close();
  }
  return local;
}
