using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum;

/// <summary>
/// A 20-byte Ethereum account address. Parsing accepts all-lower or all-upper hex, or mixed case
/// only when it is a valid EIP-55 checksum; <see cref="ToString"/> gives the EIP-55 form.
/// </summary>
public readonly struct Address : IEquatable<Address>
{
    public const int Size = 20;
    private readonly byte[]? _bytes;

    private Address(byte[] bytes) => _bytes = bytes;

    public static Address Zero { get; } = new(new byte[Size]);

    public ReadOnlySpan<byte> Bytes => _bytes ?? new byte[Size];

    public bool IsZero => Bytes.IndexOfAnyExcept((byte)0) < 0;

    public static Address FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
            throw new EthereumFormatException($"An address is {Size} bytes, but {bytes.Length} were given.");
        return new Address(bytes.ToArray());
    }

    /// <summary>The address of an uncompressed 64-byte public key (x‖y): the last 20 bytes of its Keccak-256.</summary>
    public static Address FromPublicKey(ReadOnlySpan<byte> publicKey64)
    {
        if (publicKey64.Length != 64)
            throw new ArgumentException($"A public key for an address is 64 bytes (x‖y), but {publicKey64.Length} were given.", nameof(publicKey64));
        return new Address(Keccak256.Hash(publicKey64)[12..]);
    }

    /// <summary>Parses an address; the message of a failure names the input and how to fix it.</summary>
    public static Address Parse(string text, string what = "address")
    {
        if (!TryParse(text, out var address, out var error))
            throw new EthereumFormatException($"{what} '{(text is null ? "null" : Hex.Shorten(text))}' {error}");
        return address;
    }

    public static bool TryParse(string? text, out Address address) => TryParse(text, out address, out _);

    private static bool TryParse(string? text, out Address address, out string error)
    {
        address = default;
        if (string.IsNullOrWhiteSpace(text)) { error = "is empty; give a 0x-prefixed 40-hex-digit address."; return false; }
        if (!text.StartsWith("0x", StringComparison.Ordinal) && !text.StartsWith("0X", StringComparison.Ordinal))
        { error = "lacks the 0x prefix; give a 0x-prefixed 40-hex-digit address."; return false; }
        var digits = text.AsSpan(2);
        if (digits.Length != Size * 2)
        { error = $"has {digits.Length} hex digits; an address has exactly 40."; return false; }
        foreach (var c in digits)
            if (!Uri.IsHexDigit(c)) { error = $"has a non-hex character '{c}'."; return false; }
        var bytes = Convert.FromHexString(digits);
        var candidate = new Address(bytes);
        var hasLower = digits.IndexOfAnyInRange('a', 'f') >= 0;
        var hasUpper = digits.IndexOfAnyInRange('A', 'F') >= 0;
        if (hasLower && hasUpper && !digits.SequenceEqual(candidate.ToString().AsSpan(2)))
        { error = "has a bad EIP-55 checksum (mixed case that does not match); check for a typo, or give it all in lower case to skip the checksum."; return false; }
        address = candidate;
        error = "";
        return true;
    }

    /// <summary>The EIP-55 checksummed form.</summary>
    public override string ToString()
    {
        var lower = Convert.ToHexStringLower(Bytes);
        var hash = Keccak256.Hash(System.Text.Encoding.ASCII.GetBytes(lower));
        var chars = new char[2 + lower.Length];
        chars[0] = '0';
        chars[1] = 'x';
        for (var i = 0; i < lower.Length; i++)
        {
            var nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
            chars[2 + i] = lower[i] is >= 'a' and <= 'f' && nibble >= 8 ? char.ToUpperInvariant(lower[i]) : lower[i];
        }
        return new string(chars);
    }

    public string ToLowerHex() => Hex.Encode(Bytes);

    public bool Equals(Address other) => Bytes.SequenceEqual(other.Bytes);
    public override bool Equals(object? obj) => obj is Address other && Equals(other);
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }
    public static bool operator ==(Address left, Address right) => left.Equals(right);
    public static bool operator !=(Address left, Address right) => !left.Equals(right);
}
