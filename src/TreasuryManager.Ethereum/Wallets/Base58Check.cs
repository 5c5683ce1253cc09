using System.Numerics;
using System.Security.Cryptography;

namespace TreasuryManager.Ethereum.Wallets;

/// <summary>Bitcoin Base58Check: payload ‖ first 4 bytes of SHA-256(SHA-256(payload)), in Base58.</summary>
public static class Base58Check
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    public static string Encode(ReadOnlySpan<byte> payload)
    {
        var data = new byte[payload.Length + 4];
        payload.CopyTo(data);
        SHA256.HashData(SHA256.HashData(payload))[..4].CopyTo(data.AsSpan(payload.Length));
        return EncodePlain(data);
    }

    /// <summary>Decodes and checks the checksum; <paramref name="what"/> names the input in errors.</summary>
    public static byte[] Decode(string text, string what = "Base58Check value")
    {
        var data = DecodePlain(text, what);
        if (data.Length < 4) throw new FormatException($"The {what} is too short to carry a checksum.");
        var payload = data[..^4];
        if (!SHA256.HashData(SHA256.HashData(payload)).AsSpan(0, 4).SequenceEqual(data.AsSpan(data.Length - 4)))
            throw new FormatException($"The {what} has a bad Base58Check checksum; check for a typo.");
        return payload;
    }

    private static string EncodePlain(ReadOnlySpan<byte> data)
    {
        var value = new BigInteger(data, isUnsigned: true, isBigEndian: true);
        var chars = new List<char>(data.Length * 138 / 100 + 1);
        while (value > 0)
        {
            value = BigInteger.DivRem(value, 58, out var rem);
            chars.Add(Alphabet[(int)rem]);
        }
        for (var i = 0; i < data.Length && data[i] == 0; i++) chars.Add('1');
        chars.Reverse();
        return new string(chars.ToArray());
    }

    private static byte[] DecodePlain(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        BigInteger value = 0;
        foreach (var c in text)
        {
            var digit = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (digit < 0) throw new FormatException($"The {what} has a character that is not Base58 (0, O, I and l are not used).");
            value = value * 58 + digit;
        }
        var leadingZeros = 0;
        while (leadingZeros < text.Length && text[leadingZeros] == '1') leadingZeros++;
        var body = value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var result = new byte[leadingZeros + body.Length];
        body.CopyTo(result, leadingZeros);
        return result;
    }
}
