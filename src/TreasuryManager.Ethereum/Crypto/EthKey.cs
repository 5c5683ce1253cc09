using System.Security.Cryptography;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Crypto;

/// <summary>
/// A secp256k1 private key and the address it controls. The key is never printed:
/// <see cref="ToString"/> shows the address only, and no exception message contains key bytes.
/// </summary>
public sealed class EthKey
{
    private readonly byte[] _privateKey;

    public EthKey(ReadOnlySpan<byte> privateKey32)
    {
        if (!Secp256k1.IsValidPrivateKey(privateKey32))
            throw new ArgumentException(privateKey32.Length != 32
                ? $"A private key is 32 bytes, but {privateKey32.Length} were given."
                : "The private key is not a valid secp256k1 scalar (it must be above 0 and below the curve order).", nameof(privateKey32));
        _privateKey = privateKey32.ToArray();
        PublicKey = Secp256k1.PublicKeyOf(_privateKey);
        Address = Address.FromPublicKey(PublicKey);
    }

    /// <summary>Parses a 0x-prefixed 64-hex-digit private key. The error does not echo the text.</summary>
    public static EthKey FromHex(string privateKeyHex)
    {
        byte[] bytes;
        try { bytes = Hex.Decode(privateKeyHex); }
        catch (EthereumFormatException) { throw new EthereumFormatException("The private key is not valid hex; give 0x followed by 64 hex digits."); }
        return new EthKey(bytes);
    }

    /// <summary>A fresh random key from the OS's cryptographic generator.</summary>
    public static EthKey Generate()
    {
        Span<byte> buffer = stackalloc byte[32];
        do RandomNumberGenerator.Fill(buffer); while (!Secp256k1.IsValidPrivateKey(buffer));
        return new EthKey(buffer);
    }

    /// <summary>The uncompressed public key, x‖y (64 bytes).</summary>
    public byte[] PublicKey { get; }

    public Address Address { get; }

    /// <summary>The raw private key. Callers own what they do with it; never log it.</summary>
    public ReadOnlySpan<byte> PrivateKeyBytes => _privateKey;

    /// <summary>Signs a 32-byte hash (RFC 6979, low-s, with recovery id); see <see cref="EcdsaSigner"/>.</summary>
    public Signature Sign(ReadOnlySpan<byte> hash32) => EcdsaSigner.Sign(hash32, _privateKey);

    /// <summary>Signs a message with EIP-191 (personal_sign); see <see cref="PersonalMessage"/>.</summary>
    public Signature SignMessage(ReadOnlySpan<byte> message) => Sign(PersonalMessage.Hash(message));

    /// <summary>Signs a text message (UTF-8) with EIP-191 (personal_sign).</summary>
    public Signature SignMessage(string message) => Sign(PersonalMessage.Hash(message));

    public override string ToString() => $"EthKey({Address})";
}
