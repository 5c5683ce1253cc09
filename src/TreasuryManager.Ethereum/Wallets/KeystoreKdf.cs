namespace TreasuryManager.Ethereum.Wallets;

/// <summary>
/// The key-derivation settings for writing a keystore: scrypt (geth's default n=262144, r=8, p=1)
/// or PBKDF2-HMAC-SHA256. Lighter settings are for tests only.
/// </summary>
public abstract record KeystoreKdf
{
    private KeystoreKdf() { }

    /// <summary>geth's "standard" scrypt: n=262144, r=8, p=1 (about 256 MiB and a second or so).</summary>
    public static KeystoreKdf Default { get; } = new Scrypt(262144, 8, 1);

    public sealed record Scrypt(int N = 262144, int R = 8, int P = 1) : KeystoreKdf
    {
        internal void Validate(string where)
        {
            if (N < 2 || (N & (N - 1)) != 0) throw new KeystoreException($"{where} scrypt n = {N} is invalid; n must be a power of two greater than 1.");
            if (R < 1) throw new KeystoreException($"{where} scrypt r = {R} is invalid; r must be at least 1.");
            if (P < 1) throw new KeystoreException($"{where} scrypt p = {P} is invalid; p must be at least 1.");
            if ((long)N * R * 128 > 1L << 31)
                throw new KeystoreException($"{where} scrypt n = {N}, r = {R} needs {(long)N * R * 128 >> 20} MiB, above the 2048 MiB this reader allows.");
            if ((long)R * P >= 1 << 30) throw new KeystoreException($"{where} scrypt r·p = {(long)R * P} is too large (must be below 2³⁰).");
        }
    }

    public sealed record Pbkdf2(int Iterations = 262144) : KeystoreKdf
    {
        internal void Validate(string where)
        {
            if (Iterations < 1) throw new KeystoreException($"{where} pbkdf2 c = {Iterations} is invalid; the iteration count must be at least 1.");
        }
    }
}
