import fc from 'fast-check';

/** Every kind of secret people paste, each as a generator of fresh values. */
export const SECRET_KINDS: Readonly<Record<string, fc.Arbitrary<{ text: string; secret: string }>>> = (() => {
  const alnum = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9]{${min},${max}}$`));
  const upper = (n: number) => fc.stringMatching(new RegExp(`^[A-Z0-9]{${n}}$`));
  const plain = (secret: fc.Arbitrary<string>) => secret.map((s) => ({ text: s, secret: s }));
  const spaced = fc.stringMatching(/^[A-Za-z0-9]{4,10} [A-Za-z0-9!#%]{4,10}$/);
  return {
    fireworks: plain(alnum(20, 40).map((s) => `fw_${s}`)),
    openai: plain(alnum(20, 48).map((s) => `sk-proj-${s}`)),
    webhookToken: plain(alnum(24, 43).map((s) => `fet_${s}`)),
    awsAccessKeyId: plain(upper(16).map((s) => `AKIA${s}`)),
    awsSecretKey: alnum(40, 40).map((s) => ({ text: `aws_secret_access_key=${s}`, secret: s })),
    jwt: fc
      .tuple(alnum(10, 30), alnum(10, 40), alnum(20, 43))
      .map(([a, b, c]) => ({ text: `eyJ${a}.eyJ${b}.${c}`, secret: `eyJ${a}.eyJ${b}.${c}` })),
    bearer: alnum(16, 40).map((s) => ({ text: `Bearer ${s}`, secret: s })),
    passwordPair: fc
      .tuple(
        fc.constantFrom('password', 'passwd', 'pwd', 'db_password', 'secret', 'api_key', 'token'),
        alnum(8, 20),
      )
      .map(([name, s]) => ({ text: `${name}=${s}`, secret: s })),
    quotedPassword: spaced.map((s) => ({ text: `"password": "${s}"`, secret: s })),
    urlCredentials: alnum(8, 20).map((s) => ({
      text: `https://admin:${s}@db.example.com:5432/x`,
      secret: s,
    })),
  };
})();
