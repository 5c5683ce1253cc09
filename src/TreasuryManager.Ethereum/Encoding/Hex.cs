namespace TreasuryManager.Ethereum.Encoding;

/// <summary>Hex text to bytes and back, `0x`-prefixed on output, strict on input.</summary>
public static class Hex
{
    /// <summary>Lower-case hex with a `0x` prefix.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes, bool prefix = true)
    {
        var hex = Convert.ToHexStringLower(bytes);
        return prefix ? "0x" + hex : hex;
    }

    /// <summary>
    /// Decodes hex text with or without a `0x` prefix. An odd number of digits or a non-hex
    /// character is an error that names the input.
    /// </summary>
    public static byte[] Decode(string hex, string what = "hex value")
    {
        ArgumentNullException.ThrowIfNull(hex);
        var digits = StripPrefix(hex);
        if (digits.Length % 2 != 0)
            throw new EthereumFormatException($"{what} '{Shorten(hex)}' has an odd number of hex digits ({digits.Length}); give whole bytes, e.g. 0x0a rather than 0xa.");
        for (var i = 0; i < digits.Length; i++)
        {
            if (!Uri.IsHexDigit(digits[i]))
                throw new EthereumFormatException($"{what} '{Shorten(hex)}' has a non-hex character '{digits[i]}' at position {i + (hex.Length - digits.Length)}; use only 0-9 and a-f.");
        }
        return Convert.FromHexString(digits);
    }

    /// <summary>Whether the text is `0x` followed by zero or more hex digits (any count).</summary>
    public static bool IsHex(string? text)
    {
        if (text is null || !text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) return false;
        for (var i = 2; i < text.Length; i++) if (!Uri.IsHexDigit(text[i])) return false;
        return true;
    }

    internal static ReadOnlySpan<char> StripPrefix(string hex) =>
        hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex.AsSpan(2) : hex.AsSpan();

    internal static string Shorten(string text) => text.Length <= 80 ? text : text[..40] + "…" + text[^16..];
}
