using System.Numerics;

namespace TreasuryManager.Models.Curve;

/// <summary>
/// The grid of sqrt prices a ManagedPool stores (contracts/libraries/SqrtPriceGrid.sol): numbers of at most 56
/// significant bits, so that each range bound packs into 64 bits and the range shares one storage slot with L. A value
/// is on the grid when it is below 2^56 or its bits below (msb − 55) are zero; neighbours above 2^56 differ by at most
/// 2^−55 of the value. A reposition puts the pool's price and bounds on it (<see cref="PoolSwap.Fit"/>).
/// </summary>
public static class SqrtPriceGrid
{
    /// <summary>Significant bits of a grid value.</summary>
    public const int MantissaBits = 56;

    /// <summary>The largest grid value ≤ <paramref name="value"/> (≥ 0).</summary>
    public static BigInteger RoundDown(BigInteger value)
    {
        var e = Exponent(value);
        return e == 0 ? value : value >> e << e;
    }

    /// <summary>The smallest grid value ≥ <paramref name="value"/> (≥ 0).</summary>
    public static BigInteger RoundUp(BigInteger value)
    {
        var e = Exponent(value);
        if (e == 0) return value;
        var down = value >> e << e;
        return down == value ? value : down + (BigInteger.One << e); // a carry to 2^k lands on the grid
    }

    /// <summary>Whether <paramref name="value"/> is a grid value.</summary>
    public static bool IsOnGrid(BigInteger value) => RoundDown(value) == value;

    /// <summary>The spacing below a value's lowest kept bit: 0 below 2^56, else msb − 55.</summary>
    private static int Exponent(BigInteger value)
    {
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value), value, "a sqrt price is not negative");
        var bits = (int)value.GetBitLength();
        return bits <= MantissaBits ? 0 : bits - MantissaBits;
    }
}
