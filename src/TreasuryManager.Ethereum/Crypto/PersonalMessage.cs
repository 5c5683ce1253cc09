namespace TreasuryManager.Ethereum.Crypto;

/// <summary>
/// EIP-191 version 0x45 ("personal_sign") messages: the hash signed is
/// keccak256("\x19Ethereum Signed Message:\n" + decimal byte length + message).
/// </summary>
public static class PersonalMessage
{
    private const string Prefix = "\u0019Ethereum Signed Message:\n";

    /// <summary>The EIP-191 hash of a message given as bytes.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> message)
    {
        var prefix = System.Text.Encoding.ASCII.GetBytes(Prefix + message.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var buffer = new byte[prefix.Length + message.Length];
        prefix.CopyTo(buffer, 0);
        message.CopyTo(buffer.AsSpan(prefix.Length));
        return Keccak256.Hash(buffer);
    }

    /// <summary>The EIP-191 hash of a text message (UTF-8 encoded).</summary>
    public static byte[] Hash(string message) => Hash(System.Text.Encoding.UTF8.GetBytes(message));

    /// <summary>Signs a message (bytes) with EIP-191.</summary>
    public static Signature Sign(ReadOnlySpan<byte> message, EthKey key) => key.Sign(Hash(message));

    /// <summary>The address that signed <paramref name="message"/> with <paramref name="signature"/>.</summary>
    public static Address RecoverSigner(ReadOnlySpan<byte> message, Signature signature) =>
        EcdsaSigner.RecoverAddress(Hash(message), signature);

    public static Address RecoverSigner(string message, Signature signature) =>
        EcdsaSigner.RecoverAddress(Hash(message), signature);
}
