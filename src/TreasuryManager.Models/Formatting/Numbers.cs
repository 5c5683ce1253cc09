using System.Globalization;

namespace TreasuryManager.Models.Formatting;

/// <summary>
/// How every number is printed for a person — the command line's tables, the decisions' and holds' details, the
/// reports' reasons: fixed decimals, never exponent notation. About five significant digits below
/// 1000 (2.5000, 0.012300), no decimals from 1000 on (1,234,567), at most <see cref="MaxDecimals"/> decimals; what
/// rounds to zero at that precision prints as 0 (a −1.5e-11 inventory is floating-point dust, not a position).
/// </summary>
public static class Numbers
{
    public const int MaxDecimals = 8;
    private const int SignificantDigits = 5;

    public static string Fixed(double value)
    {
        if (!double.IsFinite(value)) return "—";
        var magnitude = Math.Abs(value);
        if (magnitude >= 1000) return value.ToString("N0", CultureInfo.InvariantCulture);
        var decimals = magnitude == 0 ? 0 : Math.Clamp(SignificantDigits - 1 - (int)Math.Floor(Math.Log10(magnitude)), 0, MaxDecimals);
        var rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        return rounded == 0 ? "0" : rounded.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>Basis points as a percentage with two decimals (4,950 bps → 49.50%).</summary>
    public static string Percent(double bps) => double.IsFinite(bps) ? (bps / 100).ToString("F2", CultureInfo.InvariantCulture) + "%" : "—";
}
