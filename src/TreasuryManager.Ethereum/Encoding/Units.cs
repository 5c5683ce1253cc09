using System.Globalization;
using System.Numerics;

namespace TreasuryManager.Ethereum.Encoding;

/// <summary>Conversions between decimal text (ether, gwei, token units) and integer base units.</summary>
public static class Units
{
    public const int EtherDecimals = 18;
    public const int GweiDecimals = 9;

    public static BigInteger Pow10(int decimals) => BigInteger.Pow(10, decimals);

    /// <summary>Parses decimal text such as "1.5" into base units with the given decimals; more fractional digits than <paramref name="decimals"/> is an error, not a rounding.</summary>
    public static BigInteger Parse(string text, int decimals, string what = "amount")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        var t = text.Trim();
        var negative = t.StartsWith('-');
        if (negative) t = t[1..];
        var parts = t.Split('.');
        if (parts.Length > 2 || t.Length == 0 || parts.Any(p => p.Any(c => c is < '0' or > '9')) || (parts[0].Length == 0 && (parts.Length == 1 || parts[1].Length == 0)))
            throw new EthereumFormatException($"{what} '{text}' is not a decimal number such as 1.25.");
        var frac = parts.Length == 2 ? parts[1] : "";
        if (frac.Length > decimals)
            throw new EthereumFormatException($"{what} '{text}' has {frac.Length} decimal places; at most {decimals} fit this unit.");
        var whole = parts[0].Length == 0 ? BigInteger.Zero : BigInteger.Parse(parts[0], CultureInfo.InvariantCulture);
        var fracValue = frac.Length == 0 ? BigInteger.Zero : BigInteger.Parse(frac.PadRight(decimals, '0'), CultureInfo.InvariantCulture);
        var value = whole * Pow10(decimals) + fracValue;
        return negative ? -value : value;
    }

    /// <summary>Formats base units as exact decimal text, trimming trailing zeros.</summary>
    public static string Format(BigInteger baseUnits, int decimals)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        var negative = baseUnits.Sign < 0;
        var abs = BigInteger.Abs(baseUnits);
        var scale = Pow10(decimals);
        var whole = BigInteger.DivRem(abs, scale, out var rem);
        var text = whole.ToString(CultureInfo.InvariantCulture);
        if (!rem.IsZero)
            text += "." + rem.ToString(CultureInfo.InvariantCulture).PadLeft(decimals, '0').TrimEnd('0');
        return negative ? "-" + text : text;
    }

    public static BigInteger ParseEther(string text) => Parse(text, EtherDecimals, "ether amount");
    public static BigInteger ParseGwei(string text) => Parse(text, GweiDecimals, "gwei amount");
    public static string FormatEther(BigInteger wei) => Format(wei, EtherDecimals);
    public static string FormatGwei(BigInteger wei) => Format(wei, GweiDecimals);
}
