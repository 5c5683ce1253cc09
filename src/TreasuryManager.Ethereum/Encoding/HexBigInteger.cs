using System.Globalization;
using System.Numerics;

namespace TreasuryManager.Ethereum.Encoding;

/// <summary>JSON-RPC quantities: `0x`-prefixed, no leading zeros, unsigned.</summary>
public static class Quantity
{
    public static string Encode(BigInteger value)
    {
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value), value, "A quantity cannot be negative.");
        if (value.IsZero) return "0x0";
        var hex = value.ToString("x", CultureInfo.InvariantCulture).TrimStart('0');
        return "0x" + hex;
    }

    public static string Encode(long value) => Encode(new BigInteger(value));

    public static BigInteger Decode(string quantity, string what = "quantity")
    {
        ArgumentNullException.ThrowIfNull(quantity);
        if (!quantity.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || quantity.Length == 2)
            throw new EthereumFormatException($"{what} '{Hex.Shorten(quantity)}' is not a 0x-prefixed hex quantity.");
        var digits = quantity.AsSpan(2);
        foreach (var c in digits)
            if (!Uri.IsHexDigit(c))
                throw new EthereumFormatException($"{what} '{Hex.Shorten(quantity)}' has a non-hex character '{c}'.");
        return BigInteger.Parse("0" + digits.ToString(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    public static long DecodeLong(string quantity, string what = "quantity") => (long)Decode(quantity, what);
}
