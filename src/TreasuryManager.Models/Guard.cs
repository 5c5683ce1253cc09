using System.Runtime.CompilerServices;

namespace TreasuryManager.Models;

/// <summary>Argument checks shared by the models: every failure is an
/// <see cref="ArgumentOutOfRangeException"/> naming the offending parameter.</summary>
internal static class Guard
{
    public static void Positive(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!(value > 0) || !double.IsFinite(value))
            throw new ArgumentOutOfRangeException(name, value, "must be positive and finite");
    }

    public static void NonNegative(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!(value >= 0) || !double.IsFinite(value))
            throw new ArgumentOutOfRangeException(name, value, "must be non-negative and finite");
    }

    public static void Finite(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!double.IsFinite(value))
            throw new ArgumentOutOfRangeException(name, value, "must be finite");
    }

    public static void Positive(int value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value <= 0)
            throw new ArgumentOutOfRangeException(name, value, "must be positive");
    }
}
