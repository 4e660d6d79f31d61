export default async function teardown() {
  const emulators = globalThis.__EMULATORS__;
  if (!emulators) return;
  await emulators.fauxqs.stop();
  await new Promise((resolve) => emulators.dynalite.close(resolve));
}
